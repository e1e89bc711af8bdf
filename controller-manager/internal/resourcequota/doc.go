// Package resourcequota is the resource quota controller: it keeps each ResourceQuota's
// status current, status.hard a copy of spec.hard and status.used the namespace's usage
// of every resource named there: pods (non-terminal), services (and their load
// balancers and node ports), config maps, secrets, replication controllers, resource
// quotas and persistent volume claims (always 0: Seven serves no claims), in both the
// plain and the count/<resource> spellings, and requests.cpu, requests.memory (with their
// cpu and memory aliases), limits.cpu and limits.memory summed over non-terminal pods.
//
// Usage is the pure function Usage. The controller only writes status; it must never
// refuse or change any other object (admission enforces quotas, not this controller).
package resourcequota
