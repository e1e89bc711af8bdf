package remotecommand

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/kubectl/internal/term"
)

// Subprotocols of the exec stream.
const (
	ProtocolV5 = "v5.channel.k8s.io"
	ProtocolV4 = "v4.channel.k8s.io"
)

// Channels: the first byte of every message.
const (
	chanStdin  = 0
	chanStdout = 1
	chanStderr = 2
	chanError  = 3
	chanResize = 4
	chanClose  = 255 // v5: the next byte names the stream the client closes
)

// writeTimeout bounds one message write: a server that stops reading must not hang kubectl.
const writeTimeout = 30 * time.Second

// ExitError is a remote command that ran and exited with a non-zero code.
type ExitError struct{ Code int }

func (e *ExitError) Error() string {
	return fmt.Sprintf("command terminated with exit code %d", e.Code)
}

// Conn is one exec session.
type Conn struct {
	ws       *websocket.Conn
	protocol string

	wmu sync.Mutex // gorilla allows one writer at a time
}

// Dial opens the exec stream at u, the http(s) URL of pods/<name>/exec with its query
// (command, container, stdin, stdout, stderr, tty). A refusal before the upgrade (the
// pod's container does not exist, the kubelet is unreachable, ...) is returned as the
// server's *meta.Status.
func Dial(ctx context.Context, u *url.URL, cfg Config) (*Conn, error) {
	protos := cfg.Protocols
	if len(protos) == 0 {
		protos = []string{ProtocolV5, ProtocolV4}
	}
	wsURL := *u
	switch strings.ToLower(u.Scheme) {
	case "http":
		wsURL.Scheme = "ws"
	case "https":
		wsURL.Scheme = "wss"
	default:
		return nil, fmt.Errorf("exec: unsupported scheme %q in %s", u.Scheme, u)
	}
	d := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		TLSClientConfig:  cfg.TLS,
		HandshakeTimeout: 30 * time.Second,
		Subprotocols:     protos,
		ReadBufferSize:   32 << 10,
		WriteBufferSize:  32 << 10,
	}
	ws, resp, err := d.DialContext(ctx, wsURL.String(), cfg.Header)
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, refusal(resp)
		}
		return nil, fmt.Errorf("exec: connecting to %s: %w", u.Redacted(), err)
	}
	p := ws.Subprotocol()
	if !slices.Contains(protos, p) {
		ws.Close()
		if p == "" {
			p = "none"
		}
		return nil, fmt.Errorf("exec: the server chose the streaming protocol %q; kubectl speaks %s", p, strings.Join(protos, ", "))
	}
	return &Conn{ws: ws, protocol: p}, nil
}

// refusal turns a non-101 answer into the server's Status.
func refusal(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var st meta.Status
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" {
		return apierrors.FromHTTP(resp.StatusCode, &st, body)
	}
	return apierrors.FromHTTP(resp.StatusCode, nil, bytes.TrimSpace(body))
}

// Protocol is the subprotocol the server chose.
func (c *Conn) Protocol() string { return c.protocol }

// Close drops the connection.
func (c *Conn) Close() error { return c.ws.Close() }

// Streams are the local ends of the remote command's streams. Nil fields are not asked
// for; they must match the stdin/stdout/stderr/tty query of the URL that was dialled.
type Streams struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Resize carries the terminal's sizes (the first one right away) for a TTY.
	Resize <-chan term.Size
}

// Stream runs the session until the server ends it: it copies stdin and the resizes to
// the server and the server's stdout and stderr to s, and returns the command's result:
// nil, an *ExitError, or what went wrong. Every byte of output the server sent before its
// final status has been written to s when Stream returns. When ctx ends the connection is
// dropped and ctx's error returned.
func (c *Conn) Stream(ctx context.Context, s Streams) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer c.ws.Close()
	go func() { // unblocks the read loop when ctx ends
		<-ctx.Done()
		c.ws.Close()
	}()
	if s.Resize != nil {
		go c.sendResizes(ctx, s.Resize)
	}
	if s.Stdin != nil {
		// The pump may stay blocked in a Read of a terminal after Stream returns; its next
		// write then fails on the closed connection and it ends. kubectl exits right after.
		go c.pumpStdin(s.Stdin)
	}

	var status []byte
	gotStatus := false
	var readErr error
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			readErr = err
			break
		}
		if len(msg) == 0 {
			continue
		}
		var w io.Writer
		switch msg[0] {
		case chanStdout:
			w = s.Stdout
		case chanStderr:
			w = s.Stderr
		case chanError:
			status = append(status, msg[1:]...)
			gotStatus = true
			continue
		}
		if w != nil && len(msg) > 1 {
			if _, err := w.Write(msg[1:]); err != nil {
				return fmt.Errorf("exec: writing the command's output: %w", err)
			}
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if gotStatus {
		return decodeStatus(status)
	}
	if websocket.IsCloseError(readErr, websocket.CloseNormalClosure) {
		return nil // a server that reports no status, as upstream's client accepts
	}
	return fmt.Errorf("exec: the connection ended before the command's status arrived: %w", readErr)
}

// write sends one message on channel ch.
func (c *Conn) write(ch byte, p []byte) error {
	msg := make([]byte, 1+len(p))
	msg[0] = ch
	copy(msg[1:], p)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(websocket.BinaryMessage, msg)
}

// pumpStdin copies r to the stdin channel; at EOF v5 closes the remote stdin (v4 cannot:
// the command sees an open stdin until it exits).
func (c *Conn) pumpStdin(r io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if werr := c.write(chanStdin, buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if c.protocol == ProtocolV5 {
				_ = c.write(chanClose, []byte{chanStdin})
			}
			return
		}
	}
}

// sendResizes forwards terminal sizes until ctx ends or sizes is closed.
func (c *Conn) sendResizes(ctx context.Context, sizes <-chan term.Size) {
	for {
		select {
		case <-ctx.Done():
			return
		case sz, ok := <-sizes:
			if !ok {
				return
			}
			b, _ := json.Marshal(sz)
			if c.write(chanResize, b) != nil {
				return
			}
		}
	}
}

// decodeStatus reads the Status of the error channel: Success is nil, a non-zero exit an
// *ExitError, anything else an error with the server's message.
func decodeStatus(b []byte) error {
	var st meta.Status
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("error stream protocol error: %v in %q", err, string(b))
	}
	switch st.Status {
	case meta.StatusSuccess:
		return nil
	case meta.StatusFailure:
		if st.Reason != "NonZeroExitCode" {
			return errors.New(st.Message)
		}
		if st.Details != nil {
			for _, c := range st.Details.Causes {
				if c.Type != "ExitCode" {
					continue
				}
				code, err := strconv.ParseUint(c.Message, 10, 8)
				if err != nil {
					return fmt.Errorf("error stream protocol error: invalid exit code value %q", c.Message)
				}
				return &ExitError{Code: int(code)}
			}
		}
		return errors.New("error stream protocol error: no ExitCode cause given")
	}
	return fmt.Errorf("error stream protocol error: unknown status %q", st.Status)
}
