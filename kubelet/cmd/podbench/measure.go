package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

const namespace = "default"

// result is the startup latency of each pod, and how long all of them took.
type result struct {
	latencies []time.Duration
	total     time.Duration
	// CPU used from the first create to the last pod Running.
	cpuByName  map[string]float64
	cpuMachine float64
	cpuTook    time.Duration
}

func podName(i int) string { return fmt.Sprintf("podbench-%03d", i) }

func benchPod(i int, nodeName string) *core.Pod {
	grace := int64(0)
	return &core.Pod{
		ObjectMeta: meta.ObjectMeta{Name: podName(i), Namespace: namespace, Labels: map[string]string{"app": "podbench"}},
		Spec: core.PodSpec{NodeName: nodeName, TerminationGracePeriodSeconds: &grace, Containers: []core.Container{{
			Name: "sleep", Image: "busybox", ImagePullPolicy: core.PullIfNotPresent, Command: []string{"sleep", "3600"}}}},
	}
}

// running is the moment a watcher counts: phase Running with every container running.
func running(p *core.Pod) bool {
	if p.Status.Phase != core.PodRunning || len(p.Status.ContainerStatuses) != len(p.Spec.Containers) {
		return false
	}
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Running == nil {
			return false
		}
	}
	return true
}

// measure creates n pods on nodeName one after the other (at qps when > 0) and times each
// from its create returning to a watcher (started before the first create) seeing it Running.
func measure(ctx context.Context, c *client.Client, nodeName string, n int, qps float64, timeout time.Duration) (*result, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pods := client.Pods(c)
	list, err := pods.List(ctx, namespace, client.ListOptions{})
	if err != nil {
		return nil, err
	}
	w, err := pods.Watch(ctx, namespace, client.ListOptions{ResourceVersion: list.ResourceVersion, LabelSelector: "app=podbench"})
	if err != nil {
		return nil, err
	}
	defer w.Stop()

	var mu sync.Mutex
	created := map[string]time.Time{}
	runningAt := map[string]time.Time{}
	allRunning := make(chan struct{})
	go func() {
		for ev := range w.ResultChan() {
			if ev.Object == nil || !running(ev.Object) {
				continue
			}
			now := time.Now()
			mu.Lock()
			if _, seen := runningAt[ev.Object.Name]; !seen {
				runningAt[ev.Object.Name] = now
				if len(runningAt) == n {
					close(allRunning)
				}
			}
			mu.Unlock()
		}
	}()

	cpu := startCPUSampler()
	start := time.Now()
	for i := 0; i < n; i++ {
		if qps > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(float64(i) / qps * float64(time.Second)))))
		}
		if _, err := pods.Create(ctx, benchPod(i, nodeName)); err != nil {
			return nil, fmt.Errorf("create pod %s: %w", podName(i), err)
		}
		mu.Lock()
		created[podName(i)] = time.Now()
		mu.Unlock()
	}
	select {
	case <-allRunning:
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		return nil, fmt.Errorf("%d of %d pods Running after %s: %w%s", len(runningAt), n, timeout, ctx.Err(), describe(c, podName(0)))
	}
	res := &result{total: time.Since(start)}
	res.cpuByName, res.cpuMachine, res.cpuTook = cpu.finish()
	mu.Lock()
	defer mu.Unlock()
	for name, t := range runningAt {
		res.latencies = append(res.latencies, t.Sub(created[name]))
	}
	return res, nil
}

// deletePods deletes the pods with grace 0 and waits for the kubelet to have removed them
// (it deletes the objects once their containers are gone).
func deletePods(c *client.Client, nodeName string, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pods := client.Pods(c)
	zero := int64(0)
	for i := 0; i < n; i++ {
		_ = pods.Delete(ctx, namespace, podName(i), &meta.DeleteOptions{GracePeriodSeconds: &zero})
	}
	for {
		l, err := pods.List(ctx, namespace, client.ListOptions{LabelSelector: "app=podbench"})
		if err == nil && len(l.Items) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			left := -1
			if l != nil {
				left = len(l.Items)
			}
			return fmt.Errorf("%d pods still on %s after 60s: %w", left, nodeName, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// percentile is the nearest-rank p-th percentile of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	idx := int(float64(len(sorted))*p/100+0.999999) - 1
	idx = max(0, min(idx, len(sorted)-1))
	return sorted[idx]
}

func (r *result) print(w io.Writer, n int, qps float64, target time.Duration) {
	s := append([]time.Duration(nil), r.latencies...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000) }
	p99 := percentile(s, 99)
	verdict := "met"
	if p99 > target {
		verdict = "NOT met"
	}
	rate := "created back to back"
	if qps > 0 {
		rate = fmt.Sprintf("created at %g/s", qps)
	}
	fmt.Fprintf(w, "pods: %d busybox `sleep 3600` (%s; image preloaded, IfNotPresent, spec.nodeName set), 1 kubelet on containerd\n", n, rate)
	fmt.Fprintf(w, "pod startup latency (create -> Running seen by a watcher): p50 %s, p90 %s, p99 %s, max %s\n",
		ms(percentile(s, 50)), ms(percentile(s, 90)), ms(p99), ms(s[len(s)-1]))
	fmt.Fprintf(w, "all %d Running %s after the first create; target p99 <= %s: %s\n", n, ms(r.total), target, verdict)
	printCPU(w, r.cpuByName, r.cpuMachine, r.cpuTook, n)
}

// describe summarizes a pod's status and events, for a failed run.
func describe(c *client.Client, name string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var b strings.Builder
	if p, err := client.Pods(c).Get(ctx, namespace, name); err == nil {
		fmt.Fprintf(&b, "\npod %s: phase %q", name, p.Status.Phase)
		for _, s := range p.Status.ContainerStatuses {
			fmt.Fprintf(&b, "; container %s: %+v", s.Name, s.State)
		}
	}
	if evs, err := client.Events(c).List(ctx, namespace, client.ListOptions{}); err == nil {
		for _, ev := range evs.Items {
			if ev.InvolvedObject.Name == name {
				fmt.Fprintf(&b, "\n  event %s: %s", ev.Reason, ev.Message)
			}
		}
	}
	return b.String()
}
