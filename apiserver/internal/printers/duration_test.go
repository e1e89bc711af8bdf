package printers

import (
	"testing"
	"time"
)

// TestHumanDuration pins upstream's duration.HumanDuration outputs, including
// every boundary where the format changes.
func TestHumanDuration(t *testing.T) {
	const (
		day  = 24 * time.Hour
		year = 365 * day
	)
	tests := []struct {
		d    time.Duration
		want string
	}{
		// Clock skew of less than 2 seconds reads as now.
		{-2 * time.Second, "<invalid>"},
		{-2*time.Second + 1, "0s"},
		{-time.Second, "0s"},
		{0, "0s"},
		{time.Second - time.Millisecond, "0s"},
		{time.Second, "1s"},
		{45 * time.Second, "45s"},
		// Seconds up to two minutes.
		{70 * time.Second, "70s"},
		{2*time.Minute - time.Millisecond, "119s"},
		// Minutes and seconds below ten minutes.
		{2 * time.Minute, "2m"},
		{2*time.Minute + time.Second, "2m1s"},
		{190 * time.Second, "3m10s"},
		{5*time.Minute + 30*time.Second, "5m30s"},
		{10*time.Minute - time.Millisecond, "9m59s"},
		// Minutes below three hours.
		{10 * time.Minute, "10m"},
		{10*time.Minute + time.Second, "10m"},
		{time.Hour, "60m"},
		{70 * time.Minute, "70m"},
		{3*time.Hour - time.Millisecond, "179m"},
		// Hours and minutes below eight hours.
		{3 * time.Hour, "3h"},
		{3*time.Hour + time.Minute, "3h1m"},
		{3*time.Hour + 5*time.Minute, "3h5m"},
		{8*time.Hour - time.Millisecond, "7h59m"},
		// Hours below two days.
		{8 * time.Hour, "8h"},
		{8*time.Hour + 59*time.Minute, "8h"},
		{47 * time.Hour, "47h"},
		{2*day - time.Millisecond, "47h"},
		// Days and hours below eight days.
		{2 * day, "2d"},
		{2*day + time.Hour, "2d1h"},
		{49 * time.Hour, "2d1h"},
		{2*day + 3*time.Hour, "2d3h"},
		{8*day - time.Millisecond, "7d23h"},
		// Days below two years.
		{8 * day, "8d"},
		{8*day + 23*time.Hour, "8d"},
		{10 * day, "10d"},
		{367 * day, "367d"},
		{2*year - time.Millisecond, "729d"},
		// Years and days below eight years.
		{2 * year, "2y"},
		{2*year + 23*time.Hour + 59*time.Minute, "2y"},
		{2*year + day - time.Millisecond, "2y"},
		{2*year + day, "2y1d"},
		{2*year + 25*time.Hour, "2y1d"},
		{5 * year, "5y"},
		{8*year - time.Millisecond, "7y364d"},
		// Years.
		{8 * year, "8y"},
		{8*year + 2*time.Hour, "8y"},
		{8*year + 364*day, "8y"},
		{9 * year, "9y"},
		{120 * year, "120y"},
	}
	for _, tt := range tests {
		if got := HumanDuration(tt.d); got != tt.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestSince(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	if got := since(time.Time{}, now); got != "<unknown>" {
		t.Errorf("since(zero) = %q, want <unknown>", got)
	}
	if got := since(now.Add(-90*time.Minute), now); got != "90m" {
		t.Errorf("since(90m ago) = %q, want 90m", got)
	}
	if got := since(now.Add(time.Hour), now); got != "<invalid>" {
		t.Errorf("since(an hour ahead) = %q, want <invalid>", got)
	}
}
