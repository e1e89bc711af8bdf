// Package examples holds the programs Seven's example workloads run: the guestbook's
// frontend (guestbook/frontend) and a test server (testserver). They use only the standard
// library so that kubelet/cmd/seven-images can build them into static images offline.
// Nothing here is imported by the daemons.
package examples
