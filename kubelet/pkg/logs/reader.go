package logs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"time"
)

// ReadOptions are the kubelet API's log parameters.
type ReadOptions struct {
	// Follow keeps reading while Running says the container runs.
	Follow bool
	// TailLines is how many of the last lines to send; negative means all.
	TailLines int64
	// Since drops lines older than it (zero: none).
	Since time.Time
	// Timestamps prefixes every line with its RFC3339Nano time.
	Timestamps bool
	// LimitBytes stops after that many bytes (0: no limit).
	LimitBytes int64
	// Running says whether the container may still write (Follow ends when it says no).
	Running func() bool
	// Poll is how often a followed file is checked; default 200 ms.
	Poll time.Duration
}

var errLimit = errors.New("limit reached")

type out struct {
	w     io.Writer
	opts  *ReadOptions
	sent  int64
	flush func()
}

func (o *out) line(l Line) error {
	if !o.opts.Since.IsZero() && !l.Time.IsZero() && l.Time.Before(o.opts.Since) {
		return nil
	}
	var b []byte
	if o.opts.Timestamps {
		b = l.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, ' ')
	}
	b = append(b, l.Text...)
	if !l.Partial {
		b = append(b, '\n')
	}
	if o.opts.LimitBytes > 0 && o.sent+int64(len(b)) > o.opts.LimitBytes {
		b = b[:o.opts.LimitBytes-o.sent]
	}
	n, err := o.w.Write(b)
	o.sent += int64(n)
	if err != nil {
		return err
	}
	if o.opts.LimitBytes > 0 && o.sent >= o.opts.LimitBytes {
		return errLimit
	}
	return nil
}

// Read writes the log of the container whose current file is path (and its rotated files)
// to w as opts say. It returns nil at the end of the log, when the limit is reached, or
// when ctx ends.
func Read(ctx context.Context, path string, opts ReadOptions, w io.Writer) error {
	if opts.Poll <= 0 {
		opts.Poll = 200 * time.Millisecond
	}
	o := &out{w: w, opts: &opts, flush: func() {}}
	if f, ok := w.(interface{ Flush() }); ok {
		o.flush = f.Flush
	}
	files := append(Rotated(path), path)
	var tail [][]byte
	var cur *os.File
	var pending []byte
	for i, name := range files {
		f, err := os.Open(name)
		if err != nil {
			if i == len(files)-1 && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		}
		br := bufio.NewReaderSize(f, 64<<10)
		for {
			b, err := br.ReadBytes('\n')
			if err != nil {
				pending = b // an incomplete last line, completed by the follow below
				break
			}
			b = b[:len(b)-1]
			if opts.TailLines >= 0 {
				if opts.TailLines == 0 {
					continue
				}
				if int64(len(tail)) == opts.TailLines {
					tail = tail[1:]
				}
				tail = append(tail, b)
				continue
			}
			if err := o.line(Decode(b)); err != nil {
				f.Close()
				return ignoreLimit(err)
			}
		}
		if i == len(files)-1 {
			cur = f
		} else {
			f.Close()
		}
	}
	for _, b := range tail {
		if err := o.line(Decode(b)); err != nil {
			closeFile(cur)
			return ignoreLimit(err)
		}
	}
	o.flush()
	if !opts.Follow || cur == nil {
		closeFile(cur)
		return nil
	}
	defer func() { closeFile(cur) }()
	buf := make([]byte, 64<<10)
	for {
		n, rerr := cur.Read(buf)
		if n > 0 {
			pending = append(pending, buf[:n]...)
			for {
				i := bytes.IndexByte(pending, '\n')
				if i < 0 {
					break
				}
				if err := o.line(Decode(pending[:i])); err != nil {
					return ignoreLimit(err)
				}
				pending = pending[i+1:]
			}
			o.flush()
			continue
		}
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return rerr
		}
		// At the end: the file may have been rotated, or the container may be done.
		if st, err := os.Stat(path); err == nil {
			if cst, err := cur.Stat(); err == nil && !os.SameFile(st, cst) {
				if nf, err := os.Open(path); err == nil {
					cur.Close()
					cur, pending = nf, nil
					continue
				}
			}
		}
		if opts.Running != nil && !opts.Running() {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(opts.Poll):
		}
	}
}

func closeFile(f *os.File) {
	if f != nil {
		f.Close()
	}
}

func ignoreLimit(err error) error {
	if errors.Is(err, errLimit) {
		return nil
	}
	return err
}
