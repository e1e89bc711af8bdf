package coordination

import "seven.dev/api/meta"

// Lease is a time-bounded claim held by one holder at a time.
type Lease struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero"`
	Spec            LeaseSpec `json:"spec,omitempty"`
}

// LeaseList is a list of leases.
type LeaseList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata"`
	Items         []Lease `json:"items"`
}

// LeaseSpec is the state of a lease.
type LeaseSpec struct {
	HolderIdentity       *string                   `json:"holderIdentity,omitempty"`
	LeaseDurationSeconds *int32                    `json:"leaseDurationSeconds,omitempty"`
	AcquireTime          *meta.MicroTime           `json:"acquireTime,omitempty"`
	RenewTime            *meta.MicroTime           `json:"renewTime,omitempty"`
	LeaseTransitions     *int32                    `json:"leaseTransitions,omitempty"`
	Strategy             *CoordinatedLeaseStrategy `json:"strategy,omitempty"`
	PreferredHolder      *string                   `json:"preferredHolder,omitempty"`
}

// CoordinatedLeaseStrategy names how a coordinated lease picks its holder.
type CoordinatedLeaseStrategy string

// OldestEmulationVersion picks the candidate with the oldest emulation version.
const OldestEmulationVersion CoordinatedLeaseStrategy = "OldestEmulationVersion"
