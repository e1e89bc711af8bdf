package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func podName(i int) string { return fmt.Sprintf("bench-%06d", i) }

// podJSON is upstream's scheduler_perf pod-default: one container asking for 100m cpu and 500Mi.
func podJSON(i int) []byte {
	return []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"` + podName(i) + `","labels":{"bench":"sched"}},` +
		`"spec":{"containers":[{"name":"pause","image":"registry.k8s.io/pause:3.10","resources":{"requests":{"cpu":"100m","memory":"500Mi"}}}]}}`)
}

type result struct {
	created, elapsed time.Duration
	latency          []time.Duration
}

// schedulePods opens a watch, creates pods first..first+n-1 and waits until the watch has
// shown every one of them with a node. The clock starts at the first create, or, when
// afterCreate is set, at the time it returns (it starts the scheduler).
func schedulePods(ctx context.Context, h *http.Client, server string, first, n, clients int, afterCreate func() (time.Time, error)) (*result, error) {
	b, err := do(ctx, h, http.MethodGet, server+"/api/v1/namespaces/default/pods?limit=1", nil, http.StatusOK)
	if err != nil {
		return nil, err
	}
	var list struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, err
	}
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	req, _ := http.NewRequestWithContext(wctx, http.MethodGet, server+"/api/v1/namespaces/default/pods?watch=true&labelSelector=bench%3Dsched&resourceVersion="+list.Metadata.ResourceVersion, nil)
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	sent := make([]atomic.Int64, n)
	boundAt := make([]int64, n)
	allBound := make(chan error, 1)
	go func() {
		rd := bufio.NewReaderSize(resp.Body, 256<<10)
		left := n
		for left > 0 {
			line, err := rd.ReadSlice('\n')
			if err == bufio.ErrBufferFull {
				// A long line: read the rest and look at the whole of it.
				rest, err2 := rd.ReadBytes('\n')
				line, err = append(append([]byte(nil), line...), rest...), err2
			}
			if err != nil {
				allBound <- fmt.Errorf("watch ended with %d pods unbound: %w", left, err)
				return
			}
			if !bytes.Contains(line, []byte(`"nodeName":"`)) {
				continue
			}
			i := indexOf(line) - first
			if i < 0 || i >= n || boundAt[i] != 0 {
				continue
			}
			boundAt[i] = time.Now().UnixNano()
			left--
		}
		allBound <- nil
	}()

	start := time.Now()
	err = parallel(n, clients, func(i int) error {
		sent[i].Store(time.Now().UnixNano())
		_, err := do(ctx, h, http.MethodPost, server+"/api/v1/namespaces/default/pods", podJSON(first+i), http.StatusCreated)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		return nil, err
	}
	created := time.Since(start)
	if afterCreate != nil {
		if start, err = afterCreate(); err != nil {
			return nil, err
		}
		for i := range sent {
			sent[i].Store(start.UnixNano())
		}
	}
	select {
	case err := <-allBound:
		if err != nil {
			return nil, err
		}
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for bindings: %w", context.Cause(ctx))
	}
	res := &result{created: created, elapsed: time.Since(start)}
	for i := range boundAt {
		res.latency = append(res.latency, time.Duration(boundAt[i]-sent[i].Load()))
	}
	return res, nil
}

// indexOf finds i in "bench-00000i" in a watch event line without decoding it.
func indexOf(line []byte) int {
	const key = `"name":"bench-`
	k := bytes.Index(line, []byte(key))
	if k < 0 {
		return -1
	}
	rest := line[k+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return -1
	}
	v, err := strconv.Atoi(string(rest[:j]))
	if err != nil {
		return -1
	}
	return v
}
