package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"sigs.k8s.io/yaml"

	"seven.dev/api/autoscaling"
	apierrors "seven.dev/api/errors"
	"seven.dev/api/meta"
	"seven.dev/api/policy"
	"seven.dev/api/protobuf"
	"seven.dev/api/scheme"
)

// readBody reads a request body up to limit bytes and converts YAML and protobuf to
// JSON, so every later step handles JSON only. A body over the limit is a 413; an
// unknown media type a 415.
func readBody(r *http.Request, limit int64) ([]byte, string, error) {
	mediaType := "application/json"
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			return nil, "", apierrors.NewUnsupportedMediaType(ct)
		}
		mediaType = mt
	}
	if r.ContentLength > limit {
		return nil, "", apierrors.NewRequestEntityTooLarge(fmt.Sprintf("limit is %d", limit))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, "", apierrors.NewBadRequest(fmt.Sprintf("reading the request body: %v", err))
	}
	if int64(len(body)) > limit {
		return nil, "", apierrors.NewRequestEntityTooLarge(fmt.Sprintf("limit is %d", limit))
	}
	switch mediaType {
	case "application/json", "application/merge-patch+json", "application/json-patch+json",
		"application/strategic-merge-patch+json", "*/*", "":
		return body, mediaType, nil
	case "application/yaml", "application/x-yaml", "text/yaml":
		j, err := yamlToJSON(body)
		if err != nil {
			return nil, "", err
		}
		return j, "application/json", nil
	case "application/apply-patch+yaml":
		return body, mediaType, nil
	case protobuf.MediaType:
		j, err := protobufToJSON(body)
		if err != nil {
			return nil, "", err
		}
		return j, "application/json", nil
	}
	return nil, "", apierrors.NewUnsupportedMediaType(mediaType)
}

func yamlToJSON(body []byte) (j []byte, err error) {
	defer func() {
		// The YAML decoder is third-party code parsing untrusted input: never let it
		// take the server down.
		if p := recover(); p != nil {
			j, err = nil, apierrors.NewBadRequest(fmt.Sprintf("error converting YAML to JSON: %v", p))
		}
	}()
	if strings.Contains(string(body), "\n---") {
		return nil, apierrors.NewBadRequest("the body must hold a single object, not a multi-document YAML stream")
	}
	j, err = yaml.YAMLToJSON(body)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("error converting YAML to JSON: %v", err))
	}
	if len(j) == 0 || string(j) == "null" {
		return nil, apierrors.NewBadRequest("the body of the request was empty")
	}
	return j, nil
}

// protobufToJSON decodes a Kubernetes protobuf body (what typed clients such as
// kubectl create send) into the Go type of the kind its envelope names and
// re-encodes it as JSON, kind and apiVersion included.
func protobufToJSON(body []byte) ([]byte, error) {
	apiVersion, kind, raw, err := protobuf.DecodeEnvelope(body)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("error decoding the protobuf request body: %v", err))
	}
	obj, ok := protobufTarget(apiVersion, kind)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("error decoding the protobuf request body: no kind %q is registered for version %q", kind, apiVersion))
	}
	if err := protobuf.Unmarshal(raw, obj); err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", kind, apiVersion, kind, err))
	}
	*obj.GetTypeMeta() = meta.TypeMeta{APIVersion: apiVersion, Kind: kind}
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", kind, apiVersion, kind, err))
	}
	return j, nil
}

// protobufTarget returns an empty object of the Go type for a protobuf body: a
// served kind, or one of the bodies of subresources and deletes. DeleteOptions is
// registered in every group version upstream, so its apiVersion is not checked.
func protobufTarget(apiVersion, kind string) (interface{ GetTypeMeta() *meta.TypeMeta }, bool) {
	switch {
	case kind == "DeleteOptions":
		return &meta.DeleteOptions{}, true
	case apiVersion == "autoscaling/v1" && kind == "Scale":
		return &autoscaling.Scale{}, true
	case apiVersion == "policy/v1" && kind == "Eviction":
		return &policy.Eviction{}, true
	}
	// readBody has no handler state to take the scheme from; the catalogue is a
	// small table and protobuf bodies come one per write request.
	k, ok := scheme.Default().ByKind(apiVersion, kind)
	if !ok {
		return nil, false
	}
	return k.New(), true
}

var errNotAcceptable = errors.New("not acceptable")
