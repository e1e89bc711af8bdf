package leaderintegration

import (
	"log/slog"
	"os"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/apiserver/internal/testserver"
)

// startServer starts an API server on a fresh embedded etcd and returns its URL; the
// server stops when the test ends.
func startServer(t *testing.T) string {
	t.Helper()
	return testserver.Start(t, "").URL
}

// newClient returns a client of its own, as a separate process would have.
func newClient(t *testing.T, host string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Host: host, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testLogger logs to the test at debug level when SEVEN_TEST_LOG is set.
func testLogger(name string) *slog.Logger {
	if os.Getenv("SEVEN_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("candidate", name)
}
