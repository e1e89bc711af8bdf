package remotecommand

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"seven.dev/api/client"
	apierrors "seven.dev/api/errors"
	"seven.dev/kubectl/internal/term"
)

func TestDecodeStatus(t *testing.T) {
	for _, tt := range []struct {
		name, status string
		want         string // "" for nil
		exit         int
	}{
		{"success", `{"metadata":{},"status":"Success"}`, "", 0},
		{"exit code", `{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"42"}]}}`, "command terminated with exit code 42", 42},
		{"other causes first", `{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"Other","message":"x"},{"reason":"ExitCode","message":"1"}]}}`, "command terminated with exit code 1", 1},
		{"exit code out of range", `{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"300"}]}}`, `error stream protocol error: invalid exit code value "300"`, 0},
		{"no exit code", `{"status":"Failure","reason":"NonZeroExitCode"}`, "error stream protocol error: no ExitCode cause given", 0},
		{"other failure", `{"status":"Failure","reason":"InternalError","message":"container not running"}`, "container not running", 0},
		{"not json", `oops`, `error stream protocol error: invalid character 'o' looking for beginning of value in "oops"`, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeStatus([]byte(tt.status))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			var ee *ExitError
			if got := errors.As(err, &ee); got != (tt.exit != 0) || (got && ee.Code != tt.exit) {
				t.Fatalf("exit error %v, want code %d", err, tt.exit)
			}
		})
	}
}

// server is a minimal exec endpoint: it records the request and runs serve on the socket.
func server(t *testing.T, protocols []string, serve func(ws *websocket.Conn, r *http.Request)) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up := websocket.Upgrader{Subprotocols: protocols}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		serve(ws, r)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // refused TLS handshakes are expected
	return s
}

func endWith(ws *websocket.Conn, status string) {
	_ = ws.WriteMessage(websocket.BinaryMessage, append([]byte{chanError}, status...))
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_, _, _ = ws.ReadMessage() // the client's close
}

func dial(t *testing.T, s *httptest.Server, cfg Config) (*Conn, error) {
	t.Helper()
	u, _ := url.Parse(s.URL + "/api/v1/namespaces/default/pods/p/exec?command=x")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Dial(ctx, u, cfg)
}

// TestStreamV5 checks the whole v5 exchange: stdin then its close, a resize, stdout and
// stderr apart, and the exit code.
func TestStreamV5(t *testing.T) {
	got := make(chan string, 10)
	s := server(t, []string{ProtocolV5, ProtocolV4}, func(ws *websocket.Conn, r *http.Request) {
		// Stdin and resizes come from two goroutines: answer once both arrived.
		var stdin bytes.Buffer
		resized, closed := false, false
		for !resized || !closed {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			switch msg[0] {
			case chanStdin:
				stdin.Write(msg[1:])
			case chanResize:
				got <- "resize " + string(msg[1:])
				resized = true
			case chanClose:
				got <- "stdin " + stdin.String()
				closed = true
			}
		}
		_ = ws.WriteMessage(websocket.BinaryMessage, append([]byte{chanStdout}, "to stdout"...))
		_ = ws.WriteMessage(websocket.BinaryMessage, append([]byte{chanStderr}, "to stderr"...))
		endWith(ws, `{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}`)
	})
	s.Start()
	defer s.Close()
	c, err := dial(t, s, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Protocol() != ProtocolV5 {
		t.Errorf("protocol %q", c.Protocol())
	}
	sizes := make(chan term.Size, 1)
	sizes <- term.Size{Width: 80, Height: 24}
	var out, errOut bytes.Buffer
	err = c.Stream(context.Background(), Streams{Stdin: strings.NewReader("hello"), Stdout: &out, Stderr: &errOut, Resize: sizes})
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 3 {
		t.Errorf("Stream: %v, want exit code 3", err)
	}
	if out.String() != "to stdout" || errOut.String() != "to stderr" {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}
	seen := map[string]bool{}
	for len(got) > 0 {
		seen[<-got] = true
	}
	if !seen["stdin hello"] || !seen[`resize {"Width":80,"Height":24}`] {
		t.Errorf("the server saw %v", seen)
	}
}

func TestDialFallsBackToV4(t *testing.T) {
	s := server(t, []string{ProtocolV4}, func(ws *websocket.Conn, r *http.Request) {
		endWith(ws, `{"status":"Success"}`)
	})
	s.Start()
	defer s.Close()
	c, err := dial(t, s, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Protocol() != ProtocolV4 {
		t.Errorf("protocol %q, want v4", c.Protocol())
	}
	if err := c.Stream(context.Background(), Streams{Stdout: &bytes.Buffer{}}); err != nil {
		t.Errorf("Stream: %v", err)
	}
}

func TestDialRefusals(t *testing.T) {
	t.Run("server status", func(t *testing.T) {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"container nope is not valid for pod p","reason":"BadRequest","code":400}`))
		}))
		defer s.Close()
		_, err := dial(t, s, Config{})
		if !apierrors.IsBadRequest(err) || err.Error() != "container nope is not valid for pod p" {
			t.Errorf("got %v, want the server's BadRequest", err)
		}
	})
	t.Run("no common protocol", func(t *testing.T) {
		s := server(t, []string{"channel.k8s.io"}, func(ws *websocket.Conn, r *http.Request) {})
		s.Start()
		defer s.Close()
		_, err := dial(t, s, Config{})
		if err == nil || !strings.Contains(err.Error(), "kubectl speaks v5.channel.k8s.io, v4.channel.k8s.io") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("dropped without status", func(t *testing.T) {
		s := server(t, []string{ProtocolV5}, func(ws *websocket.Conn, r *http.Request) {
			ws.UnderlyingConn().Close()
		})
		s.Start()
		defer s.Close()
		c, err := dial(t, s, Config{})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Stream(context.Background(), Streams{Stdout: &bytes.Buffer{}})
		if err == nil || !strings.Contains(err.Error(), "before the command's status arrived") {
			t.Errorf("got %v", err)
		}
	})
}

func TestStreamEndsWithContext(t *testing.T) {
	s := server(t, []string{ProtocolV5}, func(ws *websocket.Conn, r *http.Request) {
		_, _, _ = ws.ReadMessage() // until the client goes
	})
	s.Start()
	defer s.Close()
	c, err := dial(t, s, Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := c.Stream(ctx, Streams{Stdout: &bytes.Buffer{}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's error", err)
	}
}

// TestConfigForTLSAndToken dials an https server the way the REST client would: its CA
// from the configuration and the bearer token in the upgrade request.
func TestConfigForTLSAndToken(t *testing.T) {
	auth := make(chan string, 1)
	s := server(t, []string{ProtocolV5}, func(ws *websocket.Conn, r *http.Request) {
		auth <- r.Header.Get("Authorization") + "|" + r.Header.Get("User-Agent")
		endWith(ws, `{"status":"Success"}`)
	})
	s.StartTLS()
	defer s.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})

	cfg, err := ConfigFor(client.Config{Host: s.URL, BearerToken: "secret", UserAgent: "kubectl/test",
		TLS: client.TLSConfig{CAData: ca}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := dial(t, s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Stream(context.Background(), Streams{Stdout: &bytes.Buffer{}}); err != nil {
		t.Fatal(err)
	}
	if got := <-auth; got != "Bearer secret|kubectl/test" {
		t.Errorf("the server saw %q", got)
	}

	// Without the CA the server's certificate is refused.
	cfg, _ = ConfigFor(client.Config{Host: s.URL})
	if _, err := dial(t, s, cfg); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("dial without the CA: %v", err)
	}
	// Basic auth when there is no token.
	cfg, _ = ConfigFor(client.Config{Host: s.URL, Username: "u", Password: "p", TLS: client.TLSConfig{Insecure: true}})
	if got := cfg.Header.Get("Authorization"); got != "Basic dTpw" {
		t.Errorf("basic auth header %q", got)
	}
}
