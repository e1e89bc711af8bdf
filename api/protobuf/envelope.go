package protobuf

import (
	"bytes"
	"errors"
	"fmt"
)

// MediaType is the content type of Kubernetes protobuf bodies.
const MediaType = "application/vnd.kubernetes.protobuf"

// Magic prefixes every Kubernetes protobuf body.
const Magic = "k8s\x00"

// ErrNoMagic is returned for a body that does not start with Magic; the message
// is upstream's.
var ErrNoMagic = errors.New("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")

// unknown is runtime.Unknown, the envelope around every object.
type unknown struct {
	TypeMeta        typeMeta `protobuf:"bytes,1,opt,name=typeMeta"`
	Raw             []byte   `protobuf:"bytes,2,opt,name=raw"`
	ContentEncoding string   `protobuf:"bytes,3,opt,name=contentEncoding"`
	ContentType     string   `protobuf:"bytes,4,opt,name=contentType"`
}

// typeMeta is runtime.TypeMeta; note its field numbers differ from meta/v1's.
type typeMeta struct {
	APIVersion string `protobuf:"bytes,1,opt,name=apiVersion"`
	Kind       string `protobuf:"bytes,2,opt,name=kind"`
}

// DecodeEnvelope opens a protobuf body: it checks the magic and returns the
// apiVersion and kind the envelope names and the object's message bytes.
func DecodeEnvelope(body []byte) (apiVersion, kind string, raw []byte, err error) {
	rest, ok := bytes.CutPrefix(body, []byte(Magic))
	if !ok {
		return "", "", nil, ErrNoMagic
	}
	var u unknown
	if err := Unmarshal(rest, &u); err != nil {
		return "", "", nil, err
	}
	if u.ContentEncoding != "" {
		return "", "", nil, fmt.Errorf("protobuf: unsupported content encoding %q", u.ContentEncoding)
	}
	if u.TypeMeta.Kind == "" {
		return "", "", nil, errors.New("protobuf: the envelope names no kind")
	}
	return u.TypeMeta.APIVersion, u.TypeMeta.Kind, u.Raw, nil
}

// EncodeEnvelope wraps an object's message bytes the way upstream clients do.
func EncodeEnvelope(apiVersion, kind string, raw []byte) []byte {
	b, _ := Marshal(unknown{TypeMeta: typeMeta{APIVersion: apiVersion, Kind: kind}, Raw: raw})
	return append([]byte(Magic), b...)
}
