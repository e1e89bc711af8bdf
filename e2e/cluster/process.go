package cluster

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// started is a daemon this process started: its record and a channel closed when it exits.
type started struct {
	Proc
	done chan struct{}
}

// startProc runs bin with args, in network namespace netns when it is not empty, detached
// from the caller's session (it outlives `seven-cluster up`), stdout and stderr appended to
// logPath.
//
// Node daemons enter the namespace with `nsenter --net` rather than `ip netns exec`: the
// latter also unshares the mount namespace to remount /sys, which would hide the kubelet's
// volume mounts from containerd and runc in the root mount namespace.
func startProc(name, node, netns, bin string, args []string, logPath string) (*started, error) {
	argv := append([]string{bin}, args...)
	if netns != "" {
		argv = append([]string{"nsenter", "--net=/run/netns/" + netns, "--"}, argv...)
	}
	return spawn(Proc{Name: name, Node: node, Log: logPath, Argv: argv})
}

// spawn starts p.Argv as startProc describes and returns p with its PID and start time.
func spawn(p Proc) (*started, error) {
	name, argv, logPath := p.Name, p.Argv, p.Log
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "=== %s: %s\n", time.Now().Format(time.RFC3339), strings.Join(argv, " "))
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p.PID = cmd.Process.Pid
	s := &started{Proc: p, done: make(chan struct{})}
	// nsenter execs the daemon in place, so PID and start time are the daemon's.
	s.StartTime, _ = procStartTime(s.PID)
	go func() { _ = cmd.Wait(); close(s.done) }()
	return s, nil
}

// procStartTime reads field 22 of /proc/<pid>/stat (start time in clock ticks after boot);
// ok is false when the process is gone or a zombie.
func procStartTime(pid int) (start uint64, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return 0, false
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	return start, err == nil
}

// alive reports whether p still runs: the PID exists and has the recorded start time.
func alive(p Proc) bool {
	st, ok := procStartTime(p.PID)
	return ok && (p.StartTime == 0 || st == p.StartTime)
}

// stopProcs sends SIGTERM to every process of ps that is still the one recorded, waits up to
// grace for them to exit, then sends SIGKILL to the rest. It returns the names of those that
// needed SIGKILL or survived it.
func stopProcs(ps []Proc, grace time.Duration) (killed, survived []string) {
	var live []Proc
	for _, p := range ps {
		if alive(p) && syscall.Kill(p.PID, syscall.SIGTERM) == nil {
			live = append(live, p)
		}
	}
	live = waitGone(live, grace)
	for _, p := range live {
		if alive(p) {
			_ = syscall.Kill(p.PID, syscall.SIGKILL)
			killed = append(killed, p.Name+"/"+strconv.Itoa(p.PID))
		}
	}
	for _, p := range waitGone(live, 5*time.Second) {
		survived = append(survived, p.Name+"/"+strconv.Itoa(p.PID))
	}
	return killed, survived
}

// waitGone polls until every process of ps has exited or d has passed; it returns those left.
func waitGone(ps []Proc, d time.Duration) []Proc {
	deadline := time.Now().Add(d)
	for {
		var left []Proc
		for _, p := range ps {
			if alive(p) {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// exitedEarly waits d and returns the daemons of ss that exited meanwhile.
func exitedEarly(ss []*started, d time.Duration) []*started {
	timer := time.NewTimer(d)
	defer timer.Stop()
	<-timer.C
	var out []*started
	for _, s := range ss {
		select {
		case <-s.done:
			out = append(out, s)
		default:
		}
	}
	return out
}

// tail returns the last n lines of the file at path (for reporting a daemon that died).
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
