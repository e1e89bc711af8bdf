package informerintegration

import (
	"testing"

	"seven.dev/api/client"
	"seven.dev/apiserver/internal/testserver"
)

type serverOption = testserver.Option

// apiServer is a kube-apiserver running in the test process.
type apiServer struct{ *testserver.Server }

func startServer(t *testing.T, dataDir string, mods ...serverOption) *apiServer {
	t.Helper()
	return &apiServer{testserver.Start(t, dataDir, mods...)}
}

func (s *apiServer) stop()                  { s.Stop() }
func (s *apiServer) restart()               { s.Restart() }
func (s *apiServer) client() *client.Client { return s.Client() }
