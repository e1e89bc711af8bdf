package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"sigs.k8s.io/yaml"

	apierrors "seven.dev/api/errors"
)

// readBody reads a request body up to limit bytes and converts YAML to JSON. A body over
// the limit is a 413; an unknown media type a 415.
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

var errNotAcceptable = errors.New("not acceptable")
