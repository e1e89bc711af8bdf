package remotecommand

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"seven.dev/kubelet/pkg/container"
)

// Channels of the protocol.
const (
	ChanStdin  = 0
	ChanStdout = 1
	ChanStderr = 2
	ChanError  = 3
	ChanResize = 4
	chanClose  = 255
)

// Protocols offered, best first.
var Protocols = []string{"v5.channel.k8s.io", "v4.channel.k8s.io"}

// Options are the exec request's stream flags.
type Options struct {
	Stdin, Stdout, Stderr, TTY bool
}

// Streams is what the command is wired to.
type Streams struct {
	Stdin          io.Reader // nil without Options.Stdin; at EOF once the client ends stdin
	Stdout, Stderr io.Writer
	Resize         <-chan container.TermSize
}

// ExitError is a command's non-zero exit.
type ExitError struct{ Code int }

func (e ExitError) Error() string {
	return fmt.Sprintf("command terminated with non-zero exit code: error executing command, exit status %d", e.Code)
}

// status is the v1 Status written on the error channel.
func status(err error) []byte {
	type cause struct {
		Reason  string `json:"reason"`
		Message string `json:"message"`
	}
	st := map[string]any{"metadata": map[string]any{}, "status": "Success"}
	if err != nil {
		st["status"] = "Failure"
		st["message"] = err.Error()
		if ee, ok := err.(ExitError); ok {
			st["reason"] = "NonZeroExitCode"
			st["details"] = map[string]any{"causes": []cause{{Reason: "ExitCode", Message: fmt.Sprint(ee.Code)}}}
		} else {
			st["reason"] = "InternalError"
		}
	}
	b, _ := json.Marshal(st)
	return b
}

var upgrader = websocket.Upgrader{
	Subprotocols: append(append([]string{}, Protocols...), "channel.k8s.io"),
	CheckOrigin:  func(*http.Request) bool { return true },
}

// conn serialises writes to the websocket.
type conn struct {
	ws *websocket.Conn
	mu sync.Mutex
}

func (c *conn) write(ch byte, p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	msg := make([]byte, 1+len(p))
	msg[0] = ch
	copy(msg[1:], p)
	_ = c.ws.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return c.ws.WriteMessage(websocket.BinaryMessage, msg)
}

type chanWriter struct {
	c  *conn
	ch byte
}

func (w chanWriter) Write(p []byte) (int, error) {
	if err := w.c.write(w.ch, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Serve upgrades the request and runs run with the streams opts ask for; run's error
// (ExitError for a non-zero exit) goes to the client as a Status on the error channel.
// It returns when run has returned and the connection is closed.
func Serve(w http.ResponseWriter, r *http.Request, opts Options, run func(ctx context.Context, s Streams) error) error {
	if !websocket.IsWebSocketUpgrade(r) {
		http.Error(w, "this kubelet speaks only WebSocket (v5/v4.channel.k8s.io) for exec", http.StatusBadRequest)
		return fmt.Errorf("not a websocket upgrade")
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return err
	}
	c := &conn{ws: ws}
	defer ws.Close()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	v5 := ws.Subprotocol() == Protocols[0]

	var s Streams
	pr, pw := io.Pipe()
	endStdin := func() { _ = pw.Close() }
	defer endStdin()
	if opts.Stdin {
		s.Stdin = pr
	}
	if opts.Stdout {
		s.Stdout = chanWriter{c, ChanStdout}
	}
	if opts.Stderr && !opts.TTY {
		s.Stderr = chanWriter{c, ChanStderr}
	}
	resize := make(chan container.TermSize, 4)
	if opts.TTY {
		s.Resize = resize
	}
	// No "streams ready" empty message (SPDY's habit): client-go's WebSocket executor
	// registers its streams late and logs data for an unknown stream.
	readDone := make(chan struct{})
	go func() { // reads stdin, resizes and close signals until the connection ends
		defer close(readDone)
		defer cancel()
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				endStdin()
				return
			}
			if len(msg) == 0 {
				continue
			}
			switch msg[0] {
			case ChanStdin:
				if opts.Stdin {
					if _, err := pw.Write(msg[1:]); err != nil {
						continue
					}
				}
			case ChanResize:
				var sz container.TermSize
				if json.Unmarshal(msg[1:], &sz) == nil {
					select {
					case resize <- sz:
					default:
					}
				}
			case chanClose:
				if v5 && len(msg) > 1 && msg[1] == ChanStdin {
					endStdin()
				}
			}
		}
	}()
	runErr := run(ctx, s)
	endStdin()
	_ = c.write(ChanError, status(runErr))
	c.mu.Lock()
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.mu.Unlock()
	select { // let the client close its side
	case <-readDone:
	case <-time.After(2 * time.Second):
	}
	return nil
}
