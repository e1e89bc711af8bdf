package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// State is what a cluster created, written to <Dir>/state.json after every step so that Down
// (in this process or a later one) removes exactly that, even after a crash half-way up.
type State struct {
	// Prefix and Bridge are the names the cluster was started with.
	Prefix string `json:"prefix"`
	Bridge string `json:"bridge"`
	// Processes are the daemons started, in start order.
	Processes []Proc `json:"processes"`
	// Netns are the network namespaces created (ip netns names).
	Netns []string `json:"netns"`
	// Links are the links created in the root namespace.
	Links []string `json:"links"`
	// IPTables are rules added to the root namespace, as iptables arguments after -A/-I
	// (table first: ["-t", "filter", "FORWARD", ...]), removed with -D.
	IPTables [][]string `json:"iptables"`
	// ContainerdSocket is the cluster's own containerd, whose containers Down removes.
	ContainerdSocket string `json:"containerdSocket,omitempty"`
}

// Proc is one daemon started by the cluster. PID and StartTime (clock ticks after boot, from
// /proc/<pid>/stat) together identify it, so a recycled PID is never signalled.
type Proc struct {
	Name      string `json:"name"`
	Node      string `json:"node,omitempty"`
	PID       int    `json:"pid"`
	StartTime uint64 `json:"startTime"`
	Log       string `json:"log"`
	// Argv is the command line it was started with (nsenter included), for restarts.
	Argv []string `json:"argv,omitempty"`
}

// stateFile guards a State and its file.
type stateFile struct {
	mu   sync.Mutex
	path string
	s    State
}

// loadState reads the state file at path; a missing file is an empty state.
func loadState(path string) (*stateFile, error) {
	sf := &stateFile{path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return sf, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cluster state: %w", err)
	}
	if err := json.Unmarshal(data, &sf.s); err != nil {
		return nil, fmt.Errorf("parse cluster state %s: %w", path, err)
	}
	return sf, nil
}

// update applies f to the state and writes the file (temporary file renamed over it).
func (sf *stateFile) update(f func(*State)) error {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	f(&sf.s)
	data, err := json.MarshalIndent(&sf.s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(sf.path), 0o755); err != nil {
		return err
	}
	tmp := sf.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write cluster state: %w", err)
	}
	return os.Rename(tmp, sf.path)
}

// snapshot returns a copy of the state.
func (sf *stateFile) snapshot() State {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	s := sf.s
	s.Processes = append([]Proc(nil), s.Processes...)
	s.Netns = append([]string(nil), s.Netns...)
	s.Links = append([]string(nil), s.Links...)
	s.IPTables = append([][]string(nil), s.IPTables...)
	return s
}

// remove deletes the state file.
func (sf *stateFile) remove() error {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	sf.s = State{}
	if err := os.Remove(sf.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
