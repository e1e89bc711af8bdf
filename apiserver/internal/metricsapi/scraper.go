package metricsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"seven.dev/api/core"
)

// sample is one kubelet summary and the time it describes.
type sample struct {
	summary *summary
	// at is when the summary was read; window is how long before that the kubelet's
	// previous summary was taken, which its CPU rates are averaged over.
	at     time.Time
	window time.Duration
}

// scraper reads kubelet summaries. Its only state is when it last read each node's.
type scraper struct {
	kubeletURL func(*core.Node) (string, error)
	client     *http.Client
	timeout    time.Duration
	pause      time.Duration
	maxWindow  time.Duration
	now        func() time.Time
	log        *slog.Logger

	mu       sync.Mutex
	lastRead map[string]time.Time // node name -> when this server last read its summary
}

// scrapeAll reads the summaries of nodes in parallel. A node whose kubelet fails or does
// not answer within the timeout is missing from the result (and logged), not an error:
// the metrics of the others are still worth answering with.
func (s *scraper) scrapeAll(ctx context.Context, nodes []*core.Node) map[string]*sample {
	out := make(map[string]*sample, len(nodes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Go(func() {
			smp, err := s.scrape(ctx, n)
			if err != nil {
				s.log.Info("no metrics from node", "node", n.Name, "err", err)
				return
			}
			mu.Lock()
			out[n.Name] = smp
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// scrape reads one node's summary. The kubelet's CPU rates cover the time since its
// previous summary, so when that time is unknown (this server has not read the node
// before), too long to call the figure current (more than maxWindow), or the summary
// still lacks rates (the kubelet or a container just started), it reads the summary
// once more after a short pause and reports that one, whose window is the pause.
func (s *scraper) scrape(ctx context.Context, node *core.Node) (*sample, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	base, err := s.kubeletURL(node)
	if err != nil {
		return nil, err
	}
	url := base + "/stats/summary"
	prev, seen := s.lastReadOf(node.Name)
	first, err := s.fetch(ctx, url)
	if err != nil {
		return nil, err
	}
	at := s.now()
	s.setLastRead(node.Name, at)
	if seen && at.After(prev) && at.Sub(prev) <= s.maxWindow && !first.lacksRates() {
		return &sample{summary: first, at: at, window: at.Sub(prev)}, nil
	}
	t := time.NewTimer(s.pause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to read the summary of node %s again: %w", node.Name, ctx.Err())
	}
	second, err := s.fetch(ctx, url)
	if err != nil {
		return nil, err
	}
	at2 := s.now()
	s.setLastRead(node.Name, at2)
	return &sample{summary: second, at: at2, window: at2.Sub(at)}, nil
}

func (s *scraper) fetch(ctx context.Context, url string) (*summary, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	var sum summary
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxSummaryBytes)).Decode(&sum); err != nil {
		return nil, fmt.Errorf("decode the summary from %s: %w", url, err)
	}
	return &sum, nil
}

// maxSummaryBytes bounds what is read of one summary (a node with hundreds of pods
// sends a few hundred KB).
const maxSummaryBytes = 32 << 20

func (s *scraper) lastReadOf(node string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.lastRead[node]
	return t, ok
}

func (s *scraper) setLastRead(node string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastRead[node] = t
}

// forgetExcept drops the bookkeeping of nodes that no longer exist.
func (s *scraper) forgetExcept(nodes []*core.Node) {
	keep := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		keep[n.Name] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name := range s.lastRead {
		if !keep[name] {
			delete(s.lastRead, name)
		}
	}
}
