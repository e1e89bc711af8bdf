// Package endpoint is the Endpoints controller: for every Service with a selector it keeps
// an Endpoints object of the same name listing the matching pods' addresses, ready ones in
// addresses and the others in notReadyAddresses, with named target ports resolved per pod.
//
// Services without a selector are left alone: their Endpoints belong to the user. The
// subsets are computed by the pure function Subsets.
package endpoint
