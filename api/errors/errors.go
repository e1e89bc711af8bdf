package errors

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"seven.dev/api/field"
	"seven.dev/api/meta"
)

// Resource names the kind an error is about, as upstream prints it: "pods", "deployments.apps".
type Resource struct {
	Group    string
	Resource string
}

// String renders the qualified resource name.
func (r Resource) String() string {
	if r.Group == "" {
		return r.Resource
	}
	return r.Resource + "." + r.Group
}

func newStatus(code int32, reason, msg string, details *meta.StatusDetails) *meta.Status {
	return &meta.Status{
		TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   meta.StatusFailure,
		Message:  msg,
		Reason:   reason,
		Details:  details,
		Code:     code,
	}
}

// NewNotFound: 404, `pods "x" not found`.
func NewNotFound(r Resource, name string) *meta.Status {
	return newStatus(http.StatusNotFound, meta.StatusReasonNotFound,
		fmt.Sprintf("%s %q not found", r, name),
		&meta.StatusDetails{Name: name, Group: r.Group, Kind: r.Resource})
}

// NewAlreadyExists: 409, `pods "x" already exists`.
func NewAlreadyExists(r Resource, name string) *meta.Status {
	return newStatus(http.StatusConflict, meta.StatusReasonAlreadyExists,
		fmt.Sprintf("%s %q already exists", r, name),
		&meta.StatusDetails{Name: name, Group: r.Group, Kind: r.Resource})
}

// NewConflict: 409 Conflict with the upstream wording.
func NewConflict(r Resource, name string, err error) *meta.Status {
	return newStatus(http.StatusConflict, meta.StatusReasonConflict,
		fmt.Sprintf("Operation cannot be fulfilled on %s %q: %v", r, name, err),
		&meta.StatusDetails{Name: name, Group: r.Group, Kind: r.Resource})
}

// OptimisticLockMessage is upstream's text for a stale resourceVersion.
const OptimisticLockMessage = "the object has been modified; please apply your changes to the latest version and try again"

// NewInvalid: 422 with one cause per field error.
func NewInvalid(group, kind, name string, errs field.ErrorList) *meta.Status {
	causes := make([]meta.StatusCause, 0, len(errs))
	for _, e := range errs {
		causes = append(causes, meta.StatusCause{Type: string(e.Type), Message: e.ErrorBody(), Field: e.Field})
	}
	qualified := kind
	if group != "" {
		qualified = kind + "." + group
	}
	msg := fmt.Sprintf("%s %q is invalid", qualified, name)
	if agg := errs.ToAggregate(); agg != nil {
		msg += ": " + agg.Error()
	}
	return newStatus(http.StatusUnprocessableEntity, meta.StatusReasonInvalid, msg,
		&meta.StatusDetails{Name: name, Group: group, Kind: kind, Causes: causes})
}

// NewBadRequest: 400.
func NewBadRequest(msg string) *meta.Status {
	return newStatus(http.StatusBadRequest, meta.StatusReasonBadRequest, msg, nil)
}

// NewForbidden: 403 with upstream's phrasing.
func NewForbidden(r Resource, name string, err error) *meta.Status {
	var msg string
	if name == "" {
		msg = fmt.Sprintf("%s is forbidden: %v", r, err)
	} else {
		msg = fmt.Sprintf("%s %q is forbidden: %v", r, name, err)
	}
	return newStatus(http.StatusForbidden, meta.StatusReasonForbidden, msg,
		&meta.StatusDetails{Name: name, Group: r.Group, Kind: r.Resource})
}

// NewGone: 410 Gone (used by watch and continue tokens whose version has been compacted).
func NewGone(msg string) *meta.Status {
	return newStatus(http.StatusGone, meta.StatusReasonGone, msg, nil)
}

// NewResourceExpired: 410 Expired, what a watch or list from a too-old version gets.
func NewResourceExpired(msg string) *meta.Status {
	return newStatus(http.StatusGone, meta.StatusReasonExpired, msg, nil)
}

// NewMethodNotSupported: 405.
func NewMethodNotSupported(r Resource, action string) *meta.Status {
	return newStatus(http.StatusMethodNotAllowed, meta.StatusReasonMethodNotAllowed,
		fmt.Sprintf("%s is not supported on resources of kind %q", action, r.String()),
		&meta.StatusDetails{Group: r.Group, Kind: r.Resource})
}

// NewRequestEntityTooLarge: 413.
func NewRequestEntityTooLarge(msg string) *meta.Status {
	return newStatus(http.StatusRequestEntityTooLarge, meta.StatusReasonRequestEntityTooLarge,
		"Request entity too large: "+msg, nil)
}

// NewUnsupportedMediaType: 415.
func NewUnsupportedMediaType(contentType string) *meta.Status {
	return newStatus(http.StatusUnsupportedMediaType, meta.StatusReasonUnsupportedMediaType,
		fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got %q)", contentType), nil)
}

// NewNotAcceptable: 406.
func NewNotAcceptable(msg string) *meta.Status {
	return newStatus(http.StatusNotAcceptable, meta.StatusReasonNotAcceptable, msg, nil)
}

// NewTimeout: 504, the server gave up waiting.
func NewTimeout(msg string, retryAfter int32) *meta.Status {
	return newStatus(http.StatusGatewayTimeout, meta.StatusReasonTimeout, msg,
		&meta.StatusDetails{RetryAfterSeconds: retryAfter})
}

// NewTooManyRequests: 429 with a retry hint.
func NewTooManyRequests(msg string, retryAfter int32) *meta.Status {
	return newStatus(http.StatusTooManyRequests, meta.StatusReasonTooManyRequests, msg,
		&meta.StatusDetails{RetryAfterSeconds: retryAfter})
}

// NewServiceUnavailable: 503.
func NewServiceUnavailable(msg string) *meta.Status {
	return newStatus(http.StatusServiceUnavailable, meta.StatusReasonServiceUnavailable, msg, nil)
}

// NewInternalError: 500, wrapping an unexpected failure.
func NewInternalError(err error) *meta.Status {
	return newStatus(http.StatusInternalServerError, meta.StatusReasonInternalError,
		fmt.Sprintf("Internal error occurred: %v", err),
		&meta.StatusDetails{Causes: []meta.StatusCause{{Message: err.Error()}}})
}

// FromHTTP turns a non-2xx response body into a Status, synthesising one when the body is
// not a Status (a proxy's HTML page, say).
func FromHTTP(code int, status *meta.Status, body []byte) *meta.Status {
	if status != nil && status.Kind == "Status" {
		if status.Code == 0 {
			status.Code = int32(code)
		}
		return status
	}
	reason := reasonForCode(code)
	msg := strings.TrimSpace(string(body))
	if msg == "" {
		msg = http.StatusText(code)
	}
	return newStatus(int32(code), reason, fmt.Sprintf("the server responded with the status code %d but did not return more information: %s", code, msg), nil)
}

func reasonForCode(code int) string {
	switch code {
	case http.StatusBadRequest:
		return meta.StatusReasonBadRequest
	case http.StatusUnauthorized:
		return meta.StatusReasonUnauthorized
	case http.StatusForbidden:
		return meta.StatusReasonForbidden
	case http.StatusNotFound:
		return meta.StatusReasonNotFound
	case http.StatusMethodNotAllowed:
		return meta.StatusReasonMethodNotAllowed
	case http.StatusConflict:
		return meta.StatusReasonConflict
	case http.StatusGone:
		return meta.StatusReasonGone
	case http.StatusUnprocessableEntity:
		return meta.StatusReasonInvalid
	case http.StatusTooManyRequests:
		return meta.StatusReasonTooManyRequests
	case http.StatusGatewayTimeout:
		return meta.StatusReasonTimeout
	case http.StatusServiceUnavailable:
		return meta.StatusReasonServiceUnavailable
	case http.StatusInternalServerError:
		return meta.StatusReasonInternalError
	}
	return meta.StatusReasonUnknown
}

// ReasonOf returns the Status reason of err, or "" when err is not a Status. A Status
// without a reason is classified by its HTTP code, as upstream's clients do.
func ReasonOf(err error) string {
	var s *meta.Status
	if errors.As(err, &s) {
		if s.Reason == meta.StatusReasonUnknown && s.Code != 0 {
			return reasonForCode(int(s.Code))
		}
		return s.Reason
	}
	return meta.StatusReasonUnknown
}

// CodeOf returns the HTTP code of err, 500 for errors that are not a Status, 0 for nil.
func CodeOf(err error) int32 {
	if err == nil {
		return 0
	}
	var s *meta.Status
	if errors.As(err, &s) {
		return s.Code
	}
	return http.StatusInternalServerError
}

// IsNotFound reports a 404 NotFound.
func IsNotFound(err error) bool { return ReasonOf(err) == meta.StatusReasonNotFound }

// IsAlreadyExists reports a 409 AlreadyExists.
func IsAlreadyExists(err error) bool { return ReasonOf(err) == meta.StatusReasonAlreadyExists }

// IsConflict reports a 409 Conflict (a stale resourceVersion or failed precondition).
func IsConflict(err error) bool { return ReasonOf(err) == meta.StatusReasonConflict }

// IsInvalid reports a 422 Invalid.
func IsInvalid(err error) bool { return ReasonOf(err) == meta.StatusReasonInvalid }

// IsBadRequest reports a 400.
func IsBadRequest(err error) bool { return ReasonOf(err) == meta.StatusReasonBadRequest }

// IsForbidden reports a 403.
func IsForbidden(err error) bool { return ReasonOf(err) == meta.StatusReasonForbidden }

// IsGone reports a 410 of either reason (Gone or Expired): the client must relist.
func IsGone(err error) bool {
	r := ReasonOf(err)
	return r == meta.StatusReasonGone || r == meta.StatusReasonExpired || CodeOf(err) == http.StatusGone
}

// IsTooManyRequests reports a 429.
func IsTooManyRequests(err error) bool { return ReasonOf(err) == meta.StatusReasonTooManyRequests }

// IsTimeout reports a 504 Timeout.
func IsTimeout(err error) bool { return ReasonOf(err) == meta.StatusReasonTimeout }

// IsServerTimeout reports a ServerTimeout.
func IsServerTimeout(err error) bool { return ReasonOf(err) == meta.StatusReasonServerTimeout }

// IsInternalError reports a 500.
func IsInternalError(err error) bool { return ReasonOf(err) == meta.StatusReasonInternalError }

// IsMethodNotSupported reports a 405.
func IsMethodNotSupported(err error) bool {
	return ReasonOf(err) == meta.StatusReasonMethodNotAllowed
}
