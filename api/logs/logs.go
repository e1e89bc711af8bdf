// Package logs sets up the daemons' slog loggers from the flags every daemon shares
// (--v, --logtostderr, --log-dir) and accepts the flag spellings of older releases
// (underscores for dashes, as in the seeds' --pod_infra_container_image).
package logs

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
)

// New returns a logger for component: text to stderr, or to <logDir>/<component>.log when
// toStderr is false. Verbosity 4 and above logs debug lines. close flushes and closes.
func New(component string, verbosity int, toStderr bool, logDir string) (*slog.Logger, func(), error) {
	var w io.Writer = os.Stderr
	closeFn := func() {}
	if !toStderr {
		if logDir == "" {
			logDir = os.TempDir()
		}
		if err := os.MkdirAll(logDir, 0o755); err != nil {
			return nil, nil, fmt.Errorf("log dir %s: %w", logDir, err)
		}
		f, err := os.OpenFile(filepath.Join(logDir, component+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("open log file: %w", err)
		}
		w = f
		closeFn = func() { _ = f.Close() }
	}
	level := slog.LevelInfo
	if verbosity >= 4 {
		level = slog.LevelDebug
	}
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})
	return slog.New(h).With("component", component), closeFn, nil
}

// NormalizeFlags makes --foo_bar mean --foo-bar, as upstream's daemons accept.
func NormalizeFlags(fs *pflag.FlagSet) {
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		return pflag.NormalizedName(strings.ReplaceAll(name, "_", "-"))
	})
}
