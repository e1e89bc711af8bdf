package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
)

// writeJSON encodes v with the given code. Encoding errors after the header is written
// can only be logged.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, apierrors.NewInternalError(err))
		return
	}
	writeBytes(w, code, b)
}

func writeBytes(w http.ResponseWriter, code int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(code)
	_, _ = w.Write(b)
	_, _ = w.Write([]byte{'\n'})
}

// writeError answers with the Status err carries, or a 500 for anything else.
func writeError(w http.ResponseWriter, err error) {
	var st *meta.Status
	if !errors.As(err, &st) {
		st = apierrors.NewInternalError(err)
	}
	if st.Kind == "" {
		st.Kind, st.APIVersion = "Status", "v1"
	}
	if st.Status == "" {
		st.Status = meta.StatusFailure
	}
	if st.Details != nil && st.Details.RetryAfterSeconds > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(st.Details.RetryAfterSeconds)))
	}
	code := int(st.Code)
	if code == 0 {
		code = http.StatusInternalServerError
	}
	writeJSON(w, code, st)
}

// successStatus is the body of a DELETE that returns no object.
func successStatus(group, resource, name, uid string) *meta.Status {
	return &meta.Status{
		TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   meta.StatusSuccess,
		Details:  &meta.StatusDetails{Name: name, Group: group, Kind: resource, UID: uid},
	}
}

// encodeList writes {"kind":..., "apiVersion":..., "metadata":..., "items":[...]}.
func encodeList(kind, apiVersion string, lm meta.ListMeta, items []any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"kind":`)
	k, _ := json.Marshal(kind)
	buf.Write(k)
	buf.WriteString(`,"apiVersion":`)
	v, _ := json.Marshal(apiVersion)
	buf.Write(v)
	buf.WriteString(`,"metadata":`)
	m, err := json.Marshal(lm)
	if err != nil {
		return nil, err
	}
	buf.Write(m)
	buf.WriteString(`,"items":[`)
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		b, err := json.Marshal(it)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
	}
	buf.WriteString("]}")
	return buf.Bytes(), nil
}

func logError(log *slog.Logger, r *http.Request, err error) {
	if apierrors.CodeOf(err) >= 500 {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// WriteError answers with err as a Status (for handlers outside this package).
func WriteError(w http.ResponseWriter, err error) { writeError(w, err) }
