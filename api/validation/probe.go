package validation

import (
	"fmt"

	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/intstr"
	"seven.dev/api/names"
)

// validateProbes checks a container's liveness, readiness and startup
// probes; liveness and startup probes must succeed once to count.
func validateProbes(c *core.Container, gracePeriod *int64, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if p := c.LivenessProbe; p != nil {
		lp := path.Child("livenessProbe")
		errs = append(errs, validateProbe(p, gracePeriod, lp)...)
		if p.SuccessThreshold != 1 {
			errs = append(errs, field.Invalid(lp.Child("successThreshold"), p.SuccessThreshold, "must be 1"))
		}
	}
	if p := c.ReadinessProbe; p != nil {
		rp := path.Child("readinessProbe")
		errs = append(errs, validateProbe(p, gracePeriod, rp)...)
		if p.TerminationGracePeriodSeconds != nil {
			errs = append(errs, field.Invalid(rp.Child("terminationGracePeriodSeconds"), *p.TerminationGracePeriodSeconds, "must not be set for readinessProbes"))
		}
	}
	if p := c.StartupProbe; p != nil {
		sp := path.Child("startupProbe")
		errs = append(errs, validateProbe(p, gracePeriod, sp)...)
		if p.SuccessThreshold != 1 {
			errs = append(errs, field.Invalid(sp.Child("successThreshold"), p.SuccessThreshold, "must be 1"))
		}
	}
	return errs
}

func validateProbe(p *core.Probe, gracePeriod *int64, path *field.Path) field.ErrorList {
	h := handler{exec: p.Exec, httpGet: p.HTTPGet, tcpSocket: p.TCPSocket, grpc: p.GRPC}
	errs := validateHandler(h, gracePeriod, path)
	errs = append(errs, validateNonnegative(int64(p.InitialDelaySeconds), path.Child("initialDelaySeconds"))...)
	errs = append(errs, validateNonnegative(int64(p.TimeoutSeconds), path.Child("timeoutSeconds"))...)
	errs = append(errs, validateNonnegative(int64(p.PeriodSeconds), path.Child("periodSeconds"))...)
	errs = append(errs, validateNonnegative(int64(p.SuccessThreshold), path.Child("successThreshold"))...)
	errs = append(errs, validateNonnegative(int64(p.FailureThreshold), path.Child("failureThreshold"))...)
	if t := p.TerminationGracePeriodSeconds; t != nil && *t <= 0 {
		errs = append(errs, field.Invalid(path.Child("terminationGracePeriodSeconds"), *t, "must be greater than 0"))
	}
	return errs
}

func validateLifecycle(l *core.Lifecycle, gracePeriod *int64, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, hook := range []struct {
		name string
		h    *core.LifecycleHandler
	}{{"postStart", l.PostStart}, {"preStop", l.PreStop}} {
		if hook.h != nil {
			h := handler{exec: hook.h.Exec, httpGet: hook.h.HTTPGet, tcpSocket: hook.h.TCPSocket, sleep: hook.h.Sleep}
			errs = append(errs, validateHandler(h, gracePeriod, path.Child(hook.name))...)
		}
	}
	return errs
}

// handler is the union of probe and lifecycle actions; exactly one is set.
type handler struct {
	exec      *core.ExecAction
	httpGet   *core.HTTPGetAction
	tcpSocket *core.TCPSocketAction
	grpc      *core.GRPCAction
	sleep     *core.SleepAction
}

func validateHandler(h handler, gracePeriod *int64, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	// one reports a second action as Forbidden, or counts the first.
	one := func(name string) bool {
		if n > 0 {
			errs = append(errs, field.Forbidden(path.Child(name), "may not specify more than 1 handler type"))
			return false
		}
		n++
		return true
	}
	if h.exec != nil && one("exec") && len(h.exec.Command) == 0 {
		errs = append(errs, field.Required(path.Child("exec", "command"), ""))
	}
	if h.httpGet != nil && one("httpGet") {
		errs = append(errs, validateHTTPGet(h.httpGet, path.Child("httpGet"))...)
	}
	if h.tcpSocket != nil && one("tcpSocket") {
		errs = append(errs, validatePortNumOrName(h.tcpSocket.Port, path.Child("tcpSocket", "port"))...)
	}
	if h.grpc != nil && one("grpc") {
		errs = append(errs, validatePortNumOrName(intstr.FromInt32(h.grpc.Port), path.Child("grpc", "port"))...)
	}
	if h.sleep != nil && one("sleep") {
		// PodLifecycleSleepActionAllowZero is off in v1.32.
		if gracePeriod != nil && (h.sleep.Seconds <= 0 || h.sleep.Seconds > *gracePeriod) {
			errs = append(errs, field.Invalid(path.Child("sleep"), h.sleep.Seconds, fmt.Sprintf(
				"must be greater than 0 and less than terminationGracePeriodSeconds (%d). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.", *gracePeriod)))
		}
	}
	if n == 0 {
		errs = append(errs, field.Required(path, "must specify a handler type"))
	}
	return errs
}

func validateHTTPGet(h *core.HTTPGetAction, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if h.Path == "" {
		errs = append(errs, field.Required(path.Child("path"), ""))
	}
	errs = append(errs, validatePortNumOrName(h.Port, path.Child("port"))...)
	if h.Scheme != core.URISchemeHTTP && h.Scheme != core.URISchemeHTTPS {
		errs = append(errs, field.NotSupported(path.Child("scheme"), string(h.Scheme),
			[]string{string(core.URISchemeHTTP), string(core.URISchemeHTTPS)}))
	}
	for _, hdr := range h.HTTPHeaders {
		errs = append(errs, invalidEach(path.Child("httpHeaders"), hdr.Name, names.IsHTTPHeaderName(hdr.Name))...)
	}
	return errs
}

// validatePortNumOrName accepts a port number or an IANA service name.
func validatePortNumOrName(port intstr.IntOrString, path *field.Path) field.ErrorList {
	switch port.Type {
	case intstr.Int:
		return invalidEach(path, port.IntValue(), names.IsValidPortNum(port.IntValue()))
	case intstr.String:
		return invalidEach(path, port.StrVal, names.IsValidPortName(port.StrVal))
	}
	return field.ErrorList{field.InternalError(path, fmt.Errorf("unknown type: %v", port.Type))}
}
