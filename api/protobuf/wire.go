package protobuf

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Wire types of the protobuf encoding.
const (
	wireVarint     = 0
	wireFixed64    = 1
	wireBytes      = 2
	wireStartGroup = 3
	wireEndGroup   = 4
	wireFixed32    = 5
)

// maxDepth bounds nesting of messages and groups in untrusted input.
const maxDepth = 100

// ErrTruncated is returned when a message ends in the middle of a field.
var ErrTruncated = errors.New("unexpected end of data")

// field is one field read off the wire: its number and wire type, and its value
// as a varint (also fixed32 and fixed64) or as bytes.
type field struct {
	num  int
	wire int
	u    uint64
	b    []byte
}

// reader walks the fields of one message.
type reader struct {
	data []byte
	off  int
}

func (r *reader) more() bool { return r.off < len(r.data) }

func (r *reader) varint() (uint64, error) {
	u, n := binary.Uvarint(r.data[r.off:])
	if n == 0 {
		return 0, ErrTruncated
	}
	if n < 0 {
		return 0, errors.New("varint overflows 64 bits")
	}
	r.off += n
	return u, nil
}

func (r *reader) fixed(size int) (uint64, error) {
	if len(r.data)-r.off < size {
		return 0, ErrTruncated
	}
	var u uint64
	if size == 8 {
		u = binary.LittleEndian.Uint64(r.data[r.off:])
	} else {
		u = uint64(binary.LittleEndian.Uint32(r.data[r.off:]))
	}
	r.off += size
	return u, nil
}

// next reads the next field. Groups (a proto2 relic no Kubernetes message uses)
// are skipped whole and returned with wire type wireStartGroup and no value.
func (r *reader) next() (field, error) {
	tag, err := r.varint()
	if err != nil {
		return field{}, err
	}
	f := field{num: int(tag >> 3), wire: int(tag & 7)}
	if tag>>3 == 0 || tag>>3 > 1<<29-1 {
		return field{}, fmt.Errorf("invalid field number %d", tag>>3)
	}
	switch f.wire {
	case wireVarint:
		f.u, err = r.varint()
	case wireFixed64:
		f.u, err = r.fixed(8)
	case wireFixed32:
		f.u, err = r.fixed(4)
	case wireBytes:
		var n uint64
		if n, err = r.varint(); err == nil {
			if n > uint64(len(r.data)-r.off) {
				return field{}, ErrTruncated
			}
			f.b = r.data[r.off : r.off+int(n)]
			r.off += int(n)
		}
	case wireStartGroup:
		err = r.skipGroup(f.num, 1)
	default:
		return field{}, fmt.Errorf("field %d: invalid wire type %d", f.num, f.wire)
	}
	return f, err
}

// skipGroup skips to the end-group tag that closes group num.
func (r *reader) skipGroup(num, depth int) error {
	if depth > maxDepth {
		return errors.New("groups nested too deeply")
	}
	for r.more() {
		tag, err := r.varint()
		if err != nil {
			return err
		}
		switch int(tag & 7) {
		case wireEndGroup:
			if int(tag>>3) != num {
				return fmt.Errorf("end of group %d inside group %d", tag>>3, num)
			}
			return nil
		case wireStartGroup:
			err = r.skipGroup(int(tag>>3), depth+1)
		case wireVarint:
			_, err = r.varint()
		case wireFixed64:
			_, err = r.fixed(8)
		case wireFixed32:
			_, err = r.fixed(4)
		case wireBytes:
			var n uint64
			if n, err = r.varint(); err == nil {
				if n > uint64(len(r.data)-r.off) {
					return ErrTruncated
				}
				r.off += int(n)
			}
		default:
			err = fmt.Errorf("invalid wire type %d", tag&7)
		}
		if err != nil {
			return err
		}
	}
	return ErrTruncated
}

// appendTag appends the key of field num with wire type w.
func appendTag(b []byte, num, w int) []byte {
	return binary.AppendUvarint(b, uint64(num)<<3|uint64(w))
}

// appendBytesField appends field num as a length-delimited value.
func appendBytesField(b []byte, num int, v []byte) []byte {
	b = appendTag(b, num, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// appendVarintField appends field num as a varint.
func appendVarintField(b []byte, num int, v uint64) []byte {
	return binary.AppendUvarint(appendTag(b, num, wireVarint), v)
}
