package printers

import (
	"io"
	"strings"
	"unicode/utf8"
)

// TabWriter aligns tab-separated cells the way kubectl's tabwriter does (minimum width 6,
// padding 3, blanks) and remembers column widths across flushes, so that rows printed later by
// a watch line up with the table printed first. The last cell of a line is never padded, so
// lines carry no trailing blanks.
type TabWriter struct {
	out    io.Writer
	buf    strings.Builder
	widths []int
}

// NewTabWriter returns a writer aligning into out.
func NewTabWriter(out io.Writer) *TabWriter { return &TabWriter{out: out} }

// Write buffers p until Flush.
func (t *TabWriter) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Reset forgets the remembered widths (a new table starts).
func (t *TabWriter) Reset() { t.widths = nil }

const (
	minWidth = 6
	padding  = 3
)

// Flush aligns and writes what was buffered.
func (t *TabWriter) Flush() error {
	text := t.buf.String()
	t.buf.Reset()
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	trailing := strings.HasSuffix(text, "\n")
	if trailing {
		lines = lines[:len(lines)-1]
	}
	cells := make([][]string, len(lines))
	for i, l := range lines {
		cells[i] = strings.Split(l, "\t")
		for c := 0; c < len(cells[i])-1; c++ {
			w := utf8.RuneCountInString(cells[i][c]) + padding
			if w < minWidth {
				w = minWidth
			}
			for len(t.widths) <= c {
				t.widths = append(t.widths, 0)
			}
			if w > t.widths[c] {
				t.widths[c] = w
			}
		}
	}
	var b strings.Builder
	for i, row := range cells {
		for c, cell := range row {
			b.WriteString(cell)
			if c < len(row)-1 {
				b.WriteString(strings.Repeat(" ", t.widths[c]-utf8.RuneCountInString(cell)))
			}
		}
		if i < len(cells)-1 || trailing {
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(t.out, b.String())
	return err
}
