package clientintegration

import (
	"context"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/apiserver/internal/testserver"
)

type serverOption = testserver.Option

// apiServer is a kube-apiserver running in the test process.
type apiServer struct{ *testserver.Server }

func startServer(t *testing.T, mods ...serverOption) *apiServer {
	t.Helper()
	return &apiServer{testserver.Start(t, "", mods...)}
}

func (s *apiServer) stop() { s.Stop() }

func (s *apiServer) client(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Host: s.URL, QPS: -1, UserAgent: "seven/clientintegration"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
