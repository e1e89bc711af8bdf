package integration

import (
	"fmt"

	"seven.dev/controller-manager/internal/app"
)

// Options is the controller manager's options, shortened for the tests.
type Options = app.Options

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
