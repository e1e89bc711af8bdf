package printers

import (
	"fmt"
	"time"

	"seven.dev/api/meta"
)

// HumanDuration renders d the way upstream's duration.HumanDuration does (the
// AGE, DURATION and "(10m ago)" texts of kubectl get): two or three significant
// figures, coarser as d grows. "45s" up to 2 minutes; "3m10s" below 10 minutes;
// "70m" below 3 hours; "3h5m" below 8 hours; "47h" below 2 days; "2d3h" below
// 8 days; "367d" below 2 years; "2y1d" below 8 years; "9y" after that. A slightly
// negative d (clock skew under 2 seconds) reads "0s"; anything earlier is
// "<invalid>".
func HumanDuration(d time.Duration) string {
	// Whole seconds truncated toward zero, as upstream's int(d.Seconds()).
	seconds := int64(d / time.Second)
	switch {
	case seconds < -1:
		return "<invalid>"
	case seconds < 0:
		return "0s"
	case seconds < 2*60:
		return fmt.Sprintf("%ds", seconds)
	}

	minutes := int64(d / time.Minute)
	switch {
	case minutes < 10:
		return withRemainder(minutes, "m", seconds%60, "s")
	case minutes < 3*60:
		return fmt.Sprintf("%dm", minutes)
	}

	hours := int64(d / time.Hour)
	days := hours / 24
	const year = 365 // days; upstream ignores leap years
	switch {
	case hours < 8:
		return withRemainder(hours, "h", minutes%60, "m")
	case hours < 48:
		return fmt.Sprintf("%dh", hours)
	case days < 8:
		return withRemainder(days, "d", hours%24, "h")
	case days < 2*year:
		return fmt.Sprintf("%dd", days)
	case days < 8*year:
		return withRemainder(days/year, "y", days%year, "d")
	}
	return fmt.Sprintf("%dy", days/year)
}

// withRemainder writes "3m" or "3m10s": the smaller unit only when non-zero.
func withRemainder(n int64, unit string, rest int64, restUnit string) string {
	if rest == 0 {
		return fmt.Sprintf("%d%s", n, unit)
	}
	return fmt.Sprintf("%d%s%d%s", n, unit, rest, restUnit)
}

// since is upstream's translateTimestampSince: the age of t at now, or
// "<unknown>" for an unset timestamp.
func since(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return HumanDuration(now.Sub(t))
}

// age is the AGE cell of an object.
func age(m *meta.ObjectMeta, now time.Time) string {
	return since(m.CreationTimestamp.Time, now)
}
