package describe

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// Indentation levels of upstream's PrefixWriter.
const (
	l0 = iota
	l1
	l2
	l3
)

// prefixWriter writes indented, tab-aligned lines as upstream's describe PrefixWriter does.
type prefixWriter struct {
	buf *bytes.Buffer
	tw  *tabwriter.Writer
}

func newWriter() *prefixWriter {
	buf := &bytes.Buffer{}
	return &prefixWriter{buf: buf, tw: tabwriter.NewWriter(buf, 0, 8, 2, ' ', 0)}
}

func (w *prefixWriter) Write(level int, format string, a ...any) {
	fmt.Fprintf(w.tw, strings.Repeat("  ", level)+format, a...)
}

func (w *prefixWriter) WriteLine(a ...any) { fmt.Fprintln(w.tw, a...) }

func (w *prefixWriter) Flush() { _ = w.tw.Flush() }

func (w *prefixWriter) String() string {
	w.Flush()
	return w.buf.String()
}

const maxAnnotationLen = 140

func printLabels(w *prefixWriter, title string, l map[string]string) {
	printLabelsIndent(w, "", title, "\t", l)
}

func printLabelsIndent(w *prefixWriter, initial, title, inner string, l map[string]string) {
	w.Write(l0, "%s%s:%s", initial, title, inner)
	if len(l) == 0 {
		w.WriteLine("<none>")
		return
	}
	keys := sortedKeys(l)
	for i, k := range keys {
		if i != 0 {
			w.Write(l0, "%s", initial)
			w.Write(l0, "%s", inner)
		}
		w.Write(l0, "%s=%s\n", k, l[k])
	}
}

func printAnnotations(w *prefixWriter, title string, a map[string]string) {
	w.Write(l0, "%s:\t", title)
	var keys []string
	for k := range a {
		if k == "kubectl.kubernetes.io/last-applied-configuration" {
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		w.WriteLine("<none>")
		return
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i != 0 {
			w.Write(l0, "\t")
		}
		v := strings.TrimSuffix(a[k], "\n")
		if len(v)+len(k)+2 > maxAnnotationLen || strings.Contains(v, "\n") {
			w.Write(l0, "%s:\n", k)
			for _, s := range strings.Split(v, "\n") {
				if len(s) > maxAnnotationLen-2 {
					s = s[:maxAnnotationLen-2] + "..."
				}
				w.Write(l0, "\t  %s\n", s)
			}
		} else {
			w.Write(l0, "%s: %s\n", k, v)
		}
	}
}

func printTolerations(w *prefixWriter, title string, ts []core.Toleration) {
	w.Write(l0, "%s:%s", title, "\t")
	if len(ts) == 0 {
		w.WriteLine("<none>")
		return
	}
	ts = append([]core.Toleration(nil), ts...)
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Key < ts[j].Key })
	for i, t := range ts {
		if i != 0 {
			w.Write(l0, "\t")
		}
		w.Write(l0, "%s", t.Key)
		if t.Value != "" {
			w.Write(l0, "=%s", t.Value)
		}
		if t.Effect != "" {
			w.Write(l0, ":%s", t.Effect)
		}
		if t.Operator == core.TolerationOpExists && t.Value == "" {
			if t.Key != "" || t.Effect != "" {
				w.Write(l0, " op=Exists")
			} else {
				w.Write(l0, "op=Exists")
			}
		}
		if t.TolerationSeconds != nil {
			w.Write(l0, " for %ds", *t.TolerationSeconds)
		}
		w.Write(l0, "\n")
	}
}

func printTaints(w *prefixWriter, title string, ts []core.Taint) {
	w.Write(l0, "%s:\t", title)
	if len(ts) == 0 {
		w.WriteLine("<none>")
		return
	}
	for i, t := range ts {
		if i != 0 {
			w.Write(l0, "\t")
		}
		s := t.Key
		if t.Value != "" {
			s += "=" + t.Value
		}
		w.Write(l0, "%s:%s\n", s, t.Effect)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func formatLabels(l map[string]string) string {
	if len(l) == 0 {
		return "<none>"
	}
	var parts []string
	for _, k := range sortedKeys(l) {
		parts = append(parts, k+"="+l[k])
	}
	return strings.Join(parts, ",")
}

// formatLabelSelector renders a structured selector like metav1.FormatLabelSelector.
func formatLabelSelector(s *meta.LabelSelector) string {
	if s == nil {
		return "<none>"
	}
	var parts []string
	for _, k := range sortedKeys(s.MatchLabels) {
		parts = append(parts, k+"="+s.MatchLabels[k])
	}
	for _, r := range s.MatchExpressions {
		switch r.Operator {
		case "In":
			parts = append(parts, fmt.Sprintf("%s in (%s)", r.Key, strings.Join(r.Values, ",")))
		case "NotIn":
			parts = append(parts, fmt.Sprintf("%s notin (%s)", r.Key, strings.Join(r.Values, ",")))
		case "Exists":
			parts = append(parts, r.Key)
		case "DoesNotExist":
			parts = append(parts, "!"+r.Key)
		}
	}
	if len(parts) == 0 {
		return "<none>"
	}
	return strings.Join(parts, ",")
}

// HumanDuration renders a duration like upstream's duration.HumanDuration.
func HumanDuration(d time.Duration) string {
	if seconds := int(d.Seconds()); seconds < -1 {
		return "<invalid>"
	} else if seconds < 0 {
		return "0s"
	} else if seconds < 60*2 {
		return fmt.Sprintf("%ds", seconds)
	}
	minutes := int(d / time.Minute)
	if minutes < 10 {
		s := int(d/time.Second) % 60
		if s == 0 {
			return fmt.Sprintf("%dm", minutes)
		}
		return fmt.Sprintf("%dm%ds", minutes, s)
	} else if minutes < 60*3 {
		return fmt.Sprintf("%dm", minutes)
	}
	hours := int(d / time.Hour)
	switch {
	case hours < 8:
		if m := int(d/time.Minute) % 60; m != 0 {
			return fmt.Sprintf("%dh%dm", hours, m)
		}
		return fmt.Sprintf("%dh", hours)
	case hours < 48:
		return fmt.Sprintf("%dh", hours)
	case hours < 24*8:
		if h := hours % 24; h != 0 {
			return fmt.Sprintf("%dd%dh", hours/24, h)
		}
		return fmt.Sprintf("%dd", hours/24)
	case hours < 24*365*2:
		return fmt.Sprintf("%dd", hours/24)
	case hours < 24*365*8:
		if dy := (hours / 24) % 365; dy != 0 {
			return fmt.Sprintf("%dy%dd", hours/24/365, dy)
		}
		return fmt.Sprintf("%dy", hours/24/365)
	}
	return fmt.Sprintf("%dy", hours/24/365)
}

func since(t meta.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return HumanDuration(time.Since(t.Time))
}

func rfc1123(t meta.Time) string { return t.Time.Format(time.RFC1123Z) }

// describeEvents writes the Events section as upstream does.
func describeEvents(events []core.Event, w *prefixWriter) {
	if len(events) == 0 {
		w.Write(l0, "Events:\t<none>\n")
		return
	}
	w.Flush()
	sort.SliceStable(events, func(i, j int) bool { return events[i].LastTimestamp.Time.Before(events[j].LastTimestamp.Time) })
	w.Write(l0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
	w.Write(l1, "----\t------\t----\t----\t-------\n")
	for _, e := range events {
		first := since(meta.Time{Time: e.EventTime.Time})
		if e.EventTime.Time.IsZero() {
			first = since(e.FirstTimestamp)
		}
		interval := first
		if e.Series != nil {
			interval = fmt.Sprintf("%s (x%d over %s)", since(meta.Time{Time: e.Series.LastObservedTime.Time}), e.Series.Count, first)
		} else if e.Count > 1 {
			interval = fmt.Sprintf("%s (x%d over %s)", since(e.LastTimestamp), e.Count, first)
		}
		source := e.Source.Component
		if source == "" {
			source = e.ReportingController
		}
		w.Write(l1, "%v\t%v\t%s\t%v\t%v\n", e.Type, e.Reason, interval, source, strings.TrimSpace(e.Message))
	}
}
