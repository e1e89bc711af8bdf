package logs

import (
	"bytes"
	"time"
)

// Line is one decoded log line.
type Line struct {
	Time   time.Time
	Stream string // "stdout" or "stderr"
	// Partial says the line continues in the next one (a P tag: a long line was split).
	Partial bool
	Text    []byte // without the newline
}

// Encode appends l in CRI format, with a newline.
func Encode(dst []byte, l Line) []byte {
	dst = l.Time.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, ' ')
	dst = append(dst, l.Stream...)
	if l.Partial {
		dst = append(dst, " P "...)
	} else {
		dst = append(dst, " F "...)
	}
	dst = append(dst, l.Text...)
	return append(dst, '\n')
}

// Decode parses one CRI line (without its newline). A line not in CRI format (a file the
// shim wrote raw) is returned whole as stdout with a zero time.
func Decode(b []byte) Line {
	fields := bytes.SplitN(b, []byte{' '}, 4)
	if len(fields) == 4 && (string(fields[1]) == "stdout" || string(fields[1]) == "stderr") && len(fields[2]) == 1 {
		if t, err := time.Parse(time.RFC3339Nano, string(fields[0])); err == nil {
			return Line{Time: t, Stream: string(fields[1]), Partial: fields[2][0] == 'P', Text: fields[3]}
		}
	}
	return Line{Stream: "stdout", Text: b}
}
