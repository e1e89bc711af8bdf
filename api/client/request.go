package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

// Content types.
const (
	ContentTypeJSON = "application/json"
	// JSONPatchType is RFC 6902 JSON Patch.
	JSONPatchType = "application/json-patch+json"
	// MergePatchType is RFC 7386 JSON Merge Patch.
	MergePatchType = "application/merge-patch+json"
	// StrategicMergePatchType is Kubernetes' strategic merge patch.
	StrategicMergePatchType = "application/strategic-merge-patch+json"
)

const (
	// maxRetryAfter bounds how long one Retry-After answer makes the client wait.
	maxRetryAfter = 10 * time.Second
	// connRetryBase and connRetryMax shape the backoff between retries after a
	// connection error.
	connRetryBase = 100 * time.Millisecond
	connRetryMax  = time.Second
	// maxErrorBody bounds how much of an error answer is read.
	maxErrorBody = 1 << 20
)

// request is one call to the server.
type request struct {
	method      string
	path        string // absolute, without the host's path prefix
	query       url.Values
	body        []byte
	contentType string
	accept      string
	// stream marks a long-lived answer (watch, followed logs): no Timeout applies.
	stream bool
}

// Do sends a raw request: path is absolute ("/api/v1/namespaces/default/pods"), body may be
// nil, contentType defaults to JSON when there is a body and accept defaults to JSON. A 2xx
// answer is returned for the caller to read and close; anything else is returned as the
// server's *meta.Status. Watches (watch=true or a /watch/ path) and followed logs are exempt
// from Config.Timeout.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body []byte, contentType, accept string) (*http.Response, error) {
	stream := isTrue(query.Get("watch")) || isTrue(query.Get("follow")) || strings.Contains(path, "/watch/")
	return c.send(ctx, request{method: method, path: path, query: query, body: body,
		contentType: contentType, accept: accept, stream: stream})
}

func isTrue(s string) bool { return s == "true" || s == "1" }

// send runs a request through the rate limiter and the retry policy.
func (c *Client) send(ctx context.Context, rq request) (*http.Response, error) {
	cancel := context.CancelFunc(func() {})
	if c.timeout > 0 && !rq.stream {
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
	}
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, rq)
		if err != nil {
			if ctx.Err() != nil {
				cancel()
				return nil, fmt.Errorf("%s %s: %w", rq.method, rq.path, context.Cause(ctx))
			}
			if rq.method == http.MethodGet && attempt < c.maxRetries && retryableConnError(err) {
				if !c.sleep(ctx.Done(), connBackoff(attempt)) {
					cancel()
					return nil, fmt.Errorf("%s %s: %w (retrying after: %v)", rq.method, rq.path, context.Cause(ctx), err)
				}
				continue
			}
			cancel()
			return nil, err
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		if wait, ok := retryAfter(resp); ok && attempt < c.maxRetries {
			// The server says it did not act on the request: sending it again is safe
			// whatever the verb.
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
			resp.Body.Close()
			if !c.sleep(ctx.Done(), wait) {
				cancel()
				return nil, fmt.Errorf("%s %s: %w (waiting %v as the server asked)", rq.method, rq.path, context.Cause(ctx), wait)
			}
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		cancel()
		return nil, decodeError(resp.StatusCode, body)
	}
}

// once sends the request a single time.
func (c *Client) once(ctx context.Context, rq request) (*http.Response, error) {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("%s %s: client rate limiter: %w", rq.method, rq.path, err)
		}
	}
	u := *c.base
	u.Path = c.base.Path + rq.path
	if len(rq.query) > 0 {
		u.RawQuery = rq.query.Encode()
	}
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rq.method, rq.path, err)
	}
	accept := rq.accept
	if accept == "" {
		accept = ContentTypeJSON
	}
	req.Header.Set("Accept", accept)
	if rq.body != nil {
		ct := rq.contentType
		if ct == "" {
			ct = ContentTypeJSON
		}
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("User-Agent", c.userAgent)
	if err := c.auth.apply(req); err != nil {
		return nil, err
	}
	return c.http.Do(req)
}

// retryableConnError reports errors that mean the request never reached a server that
// answered: the connection was refused, reset or closed before a response.
func retryableConnError(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func connBackoff(attempt int) time.Duration {
	d := connRetryBase << min(attempt, 10)
	return min(d, connRetryMax)
}

// retryAfter reports whether resp is a 429 or 503 carrying Retry-After, and how long to
// wait (bounded by maxRetryAfter).
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	h := resp.Header.Get("Retry-After")
	if h == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		d = time.Duration(max(secs, 0)) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = max(time.Until(t), 0)
	} else {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}

func sleepCtx(done <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		select {
		case <-done:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}

// decodeError turns an error answer into the server's Status.
func decodeError(code int, body []byte) error {
	var st meta.Status
	if err := json.Unmarshal(body, &st); err == nil && st.Kind == "Status" {
		return apierrors.FromHTTP(code, &st, body)
	}
	const maxMessage = 512
	if len(body) > maxMessage {
		body = append(body[:maxMessage:maxMessage], "..."...)
	}
	return apierrors.FromHTTP(code, nil, body)
}

// cancelOnClose releases a request's timeout when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// call sends a request with an optional JSON body and decodes a JSON answer into out (when
// out is non-nil).
func (c *Client) call(ctx context.Context, method, path string, query url.Values, in any, contentType string, out any) error {
	var body []byte
	switch b := in.(type) {
	case nil:
	case []byte:
		body = b
	default:
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("%s %s: encode body: %w", method, path, err)
		}
	}
	resp, err := c.send(ctx, request{method: method, path: path, query: query, body: body, contentType: contentType})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}
