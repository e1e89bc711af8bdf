// Package job is the Job controller (NonIndexed completion mode): it runs a job's pods
// from its template, parallelism at a time, until completions of them succeed, or the job
// fails by exceeding backoffLimit failed pods or activeDeadlineSeconds; it writes the
// job's status counts and its conditions the way upstream 1.32 does (the interim
// SuccessCriteriaMet and FailureTarget conditions first, Complete and Failed once no pod
// is left running).
//
// The decision (how many pods to create, which to delete, what the status says) is the
// pure function Decide in decide.go. Pods are counted from the cache, without upstream's
// job-tracking finalizer; counts never go down, so a finished pod deleted by someone else
// is not forgotten within one controller's life. The controller must never act while
// its own creations or deletions are unobserved (Expectations).
package job
