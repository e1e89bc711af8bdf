// Package serviceaccount is the service account controller: it makes sure every Active
// namespace has a "default" ServiceAccount, and recreates it when it is deleted.
//
// It only ever creates: it must never update or delete a service account, and never
// touch a namespace that is being deleted.
package serviceaccount
