// Package taints matches pod tolerations against node taints, upstream's
// ToleratesTaint, for the controllers that decide where pods may run or stay (node
// lifecycle eviction, daemon sets).
//
// It is pure: no clients, no clocks. It must never change the objects it is given.
package taints
