package etcd

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func TestZapLoggerForwardsWarningsToSlog(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	lg := newZapLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), zapcore.WarnLevel)
	lg.Info("chatty", zap.String("k", "v"))
	lg.With(zap.String("member", "m1")).Warn("slow fdatasync", zap.Duration("took", 2e9))
	lg.Error("boom", zap.Int("n", 3))
	out := buf.String()
	if strings.Contains(out, "chatty") {
		t.Errorf("info entry forwarded:\n%s", out)
	}
	for _, want := range []string{`level=WARN msg="slow fdatasync"`, "member=m1", "took=2s", "level=ERROR msg=boom", "n=3"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
