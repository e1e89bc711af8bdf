// Package deployment is the Deployment controller: one ReplicaSet per pod-template hash,
// RollingUpdate bounded by maxSurge and maxUnavailable, Recreate, revision annotations
// (so `kubectl rollout undo` works), revisionHistoryLimit cleanup, pause, and status with
// the Available and Progressing conditions (progressDeadlineSeconds).
//
// The rollout arithmetic lives in the pure functions of rollout.go. The controller never
// changes a cached object in place; it copies first.
package deployment
