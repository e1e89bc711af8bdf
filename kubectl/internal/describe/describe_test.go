package describe

import (
	"testing"
	"time"
)

func TestHumanDuration(t *testing.T) {
	cases := map[time.Duration]string{
		-5 * time.Second:              "<invalid>",
		0:                             "0s",
		119 * time.Second:             "119s",
		5*time.Minute + 3*time.Second: "5m3s",
		30 * time.Minute:              "30m",
		4*time.Hour + 10*time.Minute:  "4h10m",
		20 * time.Hour:                "20h",
		3*24*time.Hour + 2*time.Hour:  "3d2h",
		100 * 24 * time.Hour:          "100d",
		(3*365 + 5) * 24 * time.Hour:  "3y5d",
		10 * 365 * 24 * time.Hour:     "10y",
	}
	for d, want := range cases {
		if got := HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %s, want %s", d, got, want)
		}
	}
}

func TestLabelsAndAnnotations(t *testing.T) {
	w := newWriter()
	printLabels(w, "Labels", map[string]string{"b": "2", "a": "1"})
	printAnnotations(w, "Annotations", map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"})
	want := "Labels:       a=1\n              b=2\nAnnotations:  <none>\n"
	if got := w.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
