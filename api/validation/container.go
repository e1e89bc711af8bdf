package validation

import (
	"fmt"
	"slices"
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/names"
)

// envFieldPaths are the downward API fields an environment variable may
// name, sorted as upstream lists them.
func envFieldPaths() []string {
	return []string{
		"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
		"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
	}
}

// volumeFieldPaths are the downward API fields a volume file may name.
func volumeFieldPaths() []string {
	return []string{"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"}
}

// downwardAPIPodFields are the field labels the v1 downward API
// converts; "spec.host" is the legacy alias of spec.nodeName.
func downwardAPIPodFields() []string {
	return []string{
		"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
		"spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName",
		"status.phase", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
	}
}

// containerResourceFields are the container resources the downward API
// exposes (huge pages aside).
func containerResourceFields() []string {
	return []string{
		"limits.cpu", "limits.ephemeral-storage", "limits.memory",
		"requests.cpu", "requests.ephemeral-storage", "requests.memory",
	}
}

// cpuDivisors and memoryDivisors are the units the downward API can report
// a resource in.
func cpuDivisors() []string { return []string{"1m", "1"} }

func memoryDivisors() []string {
	return []string{"1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"}
}

const (
	hugePagesRequestsField = "requests.hugepages-"
	hugePagesLimitsField   = "limits.hugepages-"
)

// podContext is what container validation needs to know about the pod.
type podContext struct {
	volumes       map[string]core.VolumeSource
	gracePeriod   *int64
	restartPolicy core.RestartPolicy
	hostUsers     bool
}

// validateContainerCommon applies what every kind of container must satisfy.
func validateContainerCommon(c *core.Container, pc *podContext, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if c.Name == "" {
		errs = append(errs, field.Required(path.Child("name"), ""))
	} else {
		errs = append(errs, validateDNS1123Label(c.Name, path.Child("name"))...)
	}
	if c.Image == "" {
		errs = append(errs, field.Required(path.Child("image"), ""))
	}
	switch c.TerminationMessagePolicy {
	case core.TerminationMessageReadFile, core.TerminationMessageFallbackToLogsOnError:
	case "":
		errs = append(errs, field.Required(path.Child("terminationMessagePolicy"), ""))
	default:
		errs = append(errs, field.NotSupported(path.Child("terminationMessagePolicy"), string(c.TerminationMessagePolicy),
			[]string{string(core.TerminationMessageReadFile), string(core.TerminationMessageFallbackToLogsOnError)}))
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	devices := map[string]string{}
	for _, d := range c.VolumeDevices {
		devices[d.Name] = d.DevicePath
	}
	errs = append(errs, validateContainerPorts(c.Ports, path.Child("ports"))...)
	errs = append(errs, validateEnv(c.Env, path.Child("env"))...)
	errs = append(errs, validateEnvFrom(c.EnvFrom, path.Child("envFrom"))...)
	errs = append(errs, validateVolumeMounts(c.VolumeMounts, devices, pc.volumes, c, path.Child("volumeMounts"))...)
	errs = append(errs, validateVolumeDevices(c.VolumeDevices, mounts, pc.volumes, path.Child("volumeDevices"))...)
	errs = append(errs, validatePullPolicy(c.ImagePullPolicy, path.Child("imagePullPolicy"))...)
	errs = append(errs, ValidateResourceRequirements(&c.Resources, path.Child("resources"))...)
	errs = append(errs, validateResizePolicy(c.ResizePolicy, path.Child("resizePolicy"), pc.restartPolicy)...)
	errs = append(errs, validateSecurityContext(c.SecurityContext, path.Child("securityContext"), pc.hostUsers)...)
	return errs
}

// validateContainers checks the regular containers of a pod spec.
func validateContainers(containers []core.Container, pc *podContext, fldPath *field.Path) field.ErrorList {
	if len(containers) == 0 {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	seen := map[string]bool{}
	for i := range containers {
		c, path := &containers[i], fldPath.Index(i)
		errs = append(errs, validateContainerCommon(c, pc, path)...)
		if seen[c.Name] {
			errs = append(errs, field.Duplicate(path.Child("name"), c.Name))
		}
		seen[c.Name] = true
		if c.Lifecycle != nil {
			errs = append(errs, validateLifecycle(c.Lifecycle, pc.gracePeriod, path.Child("lifecycle"))...)
		}
		errs = append(errs, validateProbes(c, pc.gracePeriod, path)...)
		if c.RestartPolicy != nil {
			errs = append(errs, field.Forbidden(path.Child("restartPolicy"), "may not be set for non-init containers"))
		}
	}
	return append(errs, checkHostPortConflicts(containers, fldPath)...)
}

// validateInitContainers checks init containers, which share the name space
// of regular containers and may be sidecars (restartPolicy Always).
func validateInitContainers(inits, regular []core.Container, pc *podContext, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for _, c := range regular {
		seen[c.Name] = true
	}
	for i := range inits {
		c, path := &inits[i], fldPath.Index(i)
		errs = append(errs, validateContainerCommon(c, pc, path)...)
		sidecar := false
		if c.RestartPolicy != nil {
			if *c.RestartPolicy != core.ContainerRestartPolicyAlways {
				errs = append(errs, field.NotSupported(path.Child("restartPolicy"), string(*c.RestartPolicy),
					[]string{string(core.ContainerRestartPolicyAlways)}))
			}
			sidecar = *c.RestartPolicy == core.ContainerRestartPolicyAlways
		}
		if seen[c.Name] {
			errs = append(errs, field.Duplicate(path.Child("name"), c.Name))
		} else if c.Name != "" {
			seen[c.Name] = true
		}
		// Init containers run one at a time, so only clashes within one count.
		errs = append(errs, checkHostPortConflicts(inits[i:i+1], fldPath)...)
		if sidecar {
			if c.Lifecycle != nil {
				errs = append(errs, validateLifecycle(c.Lifecycle, pc.gracePeriod, path.Child("lifecycle"))...)
			}
			errs = append(errs, validateProbes(c, pc.gracePeriod, path)...)
		} else {
			const msg = "may not be set for init containers without restartPolicy=Always"
			if c.Lifecycle != nil {
				errs = append(errs, field.Forbidden(path.Child("lifecycle"), msg))
			}
			if c.LivenessProbe != nil {
				errs = append(errs, field.Forbidden(path.Child("livenessProbe"), msg))
			}
			if c.ReadinessProbe != nil {
				errs = append(errs, field.Forbidden(path.Child("readinessProbe"), msg))
			}
			if c.StartupProbe != nil {
				errs = append(errs, field.Forbidden(path.Child("startupProbe"), msg))
			}
		}
		if len(c.ResizePolicy) > 0 {
			errs = append(errs, field.Invalid(path.Child("resizePolicy"), goSyntax(c.ResizePolicy), "must not be set for init containers"))
		}
	}
	return errs
}

// validateEphemeralContainers checks debugging containers: names unique
// across all containers, an existing target, and none of the fields that
// would make the pod depend on them.
func validateEphemeralContainers(ecs []core.EphemeralContainer, containers, inits []core.Container, pc *podContext, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	others := map[string]bool{}
	for _, c := range slices.Concat(containers, inits) {
		others[c.Name] = true
	}
	all := map[string]bool{}
	for name := range others {
		all[name] = true
	}
	for i := range ecs {
		ec, path := &ecs[i], fldPath.Index(i)
		errs = append(errs, validateContainerCommon(&ec.Container, pc, path)...)
		errs = append(errs, validateImageWhitespace(ec.Image, path.Child("image"))...)
		if all[ec.Name] {
			errs = append(errs, field.Duplicate(path.Child("name"), ec.Name))
		}
		all[ec.Name] = true
		if ec.TargetContainerName != "" && !others[ec.TargetContainerName] {
			errs = append(errs, field.NotFound(path.Child("targetContainerName"), ec.TargetContainerName))
		}
		const msg = "cannot be set for an Ephemeral Container"
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"ports", len(ec.Ports) > 0},
			{"resources", len(ec.Resources.Limits)+len(ec.Resources.Requests)+len(ec.Resources.Claims) > 0},
			{"resizePolicy", len(ec.ResizePolicy) > 0},
			{"restartPolicy", ec.RestartPolicy != nil},
			{"livenessProbe", ec.LivenessProbe != nil},
			{"readinessProbe", ec.ReadinessProbe != nil},
			{"startupProbe", ec.StartupProbe != nil},
			{"lifecycle", ec.Lifecycle != nil},
		} {
			if f.set {
				errs = append(errs, field.Forbidden(path.Child(f.name), msg))
			}
		}
		for j, vm := range ec.VolumeMounts {
			if vm.SubPath != "" {
				errs = append(errs, field.Forbidden(path.Child("volumeMounts").Index(j).Child("subPath"), msg))
			}
			if vm.SubPathExpr != "" {
				errs = append(errs, field.Forbidden(path.Child("volumeMounts").Index(j).Child("subPathExpr"), msg))
			}
		}
	}
	return errs
}

// validateImageWhitespace is the pod-only (not template) image check.
func validateImageWhitespace(image string, path *field.Path) field.ErrorList {
	if len(image) != len(strings.TrimSpace(image)) {
		return field.ErrorList{field.Invalid(path, image, "must not have leading or trailing whitespace")}
	}
	return nil
}

func validateContainerPorts(ports []core.ContainerPort, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, p := range ports {
		path := fldPath.Index(i)
		if p.Name != "" {
			if msgs := names.IsValidPortName(p.Name); len(msgs) != 0 {
				errs = append(errs, invalidEach(path.Child("name"), p.Name, msgs)...)
			} else if seen[p.Name] {
				errs = append(errs, field.Duplicate(path.Child("name"), p.Name))
			} else {
				seen[p.Name] = true
			}
		}
		if p.ContainerPort == 0 {
			errs = append(errs, field.Required(path.Child("containerPort"), ""))
		} else {
			errs = append(errs, invalidEach(path.Child("containerPort"), p.ContainerPort, names.IsValidPortNum(int(p.ContainerPort)))...)
		}
		if p.HostPort != 0 {
			errs = append(errs, invalidEach(path.Child("hostPort"), p.HostPort, names.IsValidPortNum(int(p.HostPort)))...)
		}
		errs = append(errs, validateProtocol(p.Protocol, path.Child("protocol"))...)
	}
	return errs
}

// validateProtocol requires TCP, UDP or SCTP.
func validateProtocol(p core.Protocol, path *field.Path) field.ErrorList {
	switch p {
	case core.ProtocolTCP, core.ProtocolUDP, core.ProtocolSCTP:
		return nil
	case "":
		return field.ErrorList{field.Required(path, "")}
	}
	return field.ErrorList{field.NotSupported(path, string(p),
		[]string{string(core.ProtocolSCTP), string(core.ProtocolTCP), string(core.ProtocolUDP)})}
}

// checkHostPortConflicts reports a host port (per protocol and host IP)
// claimed twice among containers.
func checkHostPortConflicts(containers []core.Container, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, c := range containers {
		for j, p := range c.Ports {
			if p.HostPort == 0 {
				continue
			}
			key := fmt.Sprintf("%s/%s/%d", p.Protocol, p.HostIP, p.HostPort)
			if seen[key] {
				errs = append(errs, field.Duplicate(fldPath.Index(i).Child("ports").Index(j).Child("hostPort"), key))
			}
			seen[key] = true
		}
	}
	return errs
}

func validateEnv(vars []core.EnvVar, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, ev := range vars {
		path := fldPath.Index(i)
		if ev.Name == "" {
			errs = append(errs, field.Required(path.Child("name"), ""))
		} else {
			errs = append(errs, invalidEach(path.Child("name"), ev.Name, names.IsEnvVarName(ev.Name))...)
		}
		errs = append(errs, validateEnvVarValueFrom(ev, path.Child("valueFrom"))...)
	}
	return errs
}

func validateEnvVarValueFrom(ev core.EnvVar, fldPath *field.Path) field.ErrorList {
	from := ev.ValueFrom
	if from == nil {
		return nil
	}
	var errs field.ErrorList
	n := 0
	if from.FieldRef != nil {
		n++
		errs = append(errs, validateObjectFieldSelector(from.FieldRef, envFieldPaths(), fldPath.Child("fieldRef"))...)
	}
	if from.ResourceFieldRef != nil {
		n++
		errs = append(errs, validateResourceFieldSelector(from.ResourceFieldRef, false, fldPath.Child("resourceFieldRef"))...)
	}
	if from.ConfigMapKeyRef != nil {
		n++
		errs = append(errs, validateKeySelector(from.ConfigMapKeyRef.Name, from.ConfigMapKeyRef.Key, fldPath.Child("configMapKeyRef"))...)
	}
	if from.SecretKeyRef != nil {
		n++
		errs = append(errs, validateKeySelector(from.SecretKeyRef.Name, from.SecretKeyRef.Key, fldPath.Child("secretKeyRef"))...)
	}
	switch {
	case n == 0:
		errs = append(errs, field.Invalid(fldPath, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
	case ev.Value != "":
		errs = append(errs, field.Invalid(fldPath, "", "may not be specified when `value` is not empty"))
	case n > 1:
		errs = append(errs, field.Invalid(fldPath, "", "may not have more than one field specified at a time"))
	}
	return errs
}

// validateObjectFieldSelector checks a downward API field reference
// against the paths allowed where it appears.
func validateObjectFieldSelector(fs *core.ObjectFieldSelector, allowed []string, fldPath *field.Path) field.ErrorList {
	if fs.APIVersion == "" {
		return field.ErrorList{field.Required(fldPath.Child("apiVersion"), "")}
	}
	if fs.FieldPath == "" {
		return field.ErrorList{field.Required(fldPath.Child("fieldPath"), "")}
	}
	path, subscript, subscripted := splitSubscriptedPath(fs.FieldPath)
	if !subscripted {
		path = fs.FieldPath
	}
	var convErr string
	switch {
	case fs.APIVersion != "v1":
		convErr = "unsupported pod version: " + fs.APIVersion
	case subscripted && path != "metadata.annotations" && path != "metadata.labels":
		convErr = "field label does not support subscript: " + fs.FieldPath
	case !subscripted && fs.FieldPath == "spec.host":
		path = "spec.nodeName"
	case !subscripted && !slices.Contains(downwardAPIPodFields(), fs.FieldPath):
		convErr = "field label not supported: " + fs.FieldPath
	}
	if convErr != "" {
		return field.ErrorList{field.Invalid(fldPath.Child("fieldPath"), fs.FieldPath, "error converting fieldPath: "+convErr)}
	}
	if subscripted {
		if path == "metadata.annotations" {
			subscript = strings.ToLower(subscript)
		}
		return validateQualifiedName(subscript, fldPath)
	}
	if !slices.Contains(allowed, path) {
		return field.ErrorList{field.NotSupported(fldPath.Child("fieldPath"), path, slices.Sorted(slices.Values(allowed)))}
	}
	return nil
}

// splitSubscriptedPath splits "metadata.labels['key']".
func splitSubscriptedPath(p string) (path, subscript string, ok bool) {
	s, found := strings.CutSuffix(p, "']")
	if !found {
		return "", "", false
	}
	path, subscript, found = strings.Cut(s, "['")
	if !found || path == "" {
		return "", "", false
	}
	return path, subscript, true
}

func validateResourceFieldSelector(fs *core.ResourceFieldSelector, volume bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case volume && fs.ContainerName == "":
		errs = append(errs, field.Required(fldPath.Child("containerName"), ""))
	case fs.Resource == "":
		errs = append(errs, field.Required(fldPath.Child("resource"), ""))
	case !slices.Contains(containerResourceFields(), fs.Resource) &&
		!strings.HasPrefix(fs.Resource, hugePagesRequestsField) && !strings.HasPrefix(fs.Resource, hugePagesLimitsField):
		errs = append(errs, field.NotSupported(fldPath.Child("resource"), fs.Resource, containerResourceFields()))
	}
	if fs.Divisor.IsZero() {
		return errs
	}
	divisor, r := fs.Divisor.String(), fs.Resource
	divisorPath := fldPath.Child("divisor")
	switch r {
	case "limits.cpu", "requests.cpu":
		if !slices.Contains(cpuDivisors(), divisor) {
			errs = append(errs, field.Invalid(divisorPath, r, "only divisor's values 1m and 1 are supported with the cpu resource"))
		}
	case "limits.memory", "requests.memory":
		if !slices.Contains(memoryDivisors(), divisor) {
			errs = append(errs, field.Invalid(divisorPath, r, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource"))
		}
	case "limits.ephemeral-storage", "requests.ephemeral-storage":
		if !slices.Contains(memoryDivisors(), divisor) {
			errs = append(errs, field.Invalid(divisorPath, r, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource"))
		}
	}
	if (strings.HasPrefix(r, hugePagesRequestsField) || strings.HasPrefix(r, hugePagesLimitsField)) && !slices.Contains(memoryDivisors(), divisor) {
		errs = append(errs, field.Invalid(divisorPath, r, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the hugepages resource"))
	}
	return errs
}

// validateKeySelector checks a config map or secret key reference; the
// name is checked even when empty, as upstream does.
func validateKeySelector(name, key string, fldPath *field.Path) field.ErrorList {
	errs := invalidEach(fldPath.Child("name"), name, nameIsDNSSubdomain(name, false))
	if key == "" {
		return append(errs, field.Required(fldPath.Child("key"), ""))
	}
	return append(errs, invalidEach(fldPath.Child("key"), key, names.IsConfigMapKey(key))...)
}

func validateEnvFrom(sources []core.EnvFromSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, s := range sources {
		path := fldPath.Index(i)
		if s.Prefix != "" {
			errs = append(errs, invalidEach(path.Child("prefix"), s.Prefix, names.IsEnvVarName(s.Prefix))...)
		}
		n := 0
		if s.ConfigMapRef != nil {
			n++
			errs = append(errs, validateEnvSourceName(s.ConfigMapRef.Name, path.Child("configMapRef"))...)
		}
		if s.SecretRef != nil {
			n++
			errs = append(errs, validateEnvSourceName(s.SecretRef.Name, path.Child("secretRef"))...)
		}
		if n == 0 {
			errs = append(errs, field.Invalid(fldPath, "", "must specify one of: `configMapRef` or `secretRef`"))
		} else if n > 1 {
			errs = append(errs, field.Invalid(fldPath, "", "may not have more than one field specified at a time"))
		}
	}
	return errs
}

func validateEnvSourceName(name string, fldPath *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(fldPath.Child("name"), "")}
	}
	return invalidEach(fldPath.Child("name"), name, nameIsDNSSubdomain(name, true))
}

func validatePullPolicy(p core.PullPolicy, path *field.Path) field.ErrorList {
	switch p {
	case core.PullAlways, core.PullIfNotPresent, core.PullNever:
		return nil
	case "":
		return field.ErrorList{field.Required(path, "")}
	}
	return field.ErrorList{field.NotSupported(path, string(p),
		[]string{string(core.PullAlways), string(core.PullIfNotPresent), string(core.PullNever)})}
}

func validateResizePolicy(policies []core.ContainerResizePolicy, fldPath *field.Path, podRestart core.RestartPolicy) field.ErrorList {
	var errs field.ErrorList
	seen := map[core.ResourceName]bool{}
	for i, p := range policies {
		if seen[p.ResourceName] {
			errs = append(errs, field.Duplicate(fldPath.Index(i), p.ResourceName))
		}
		seen[p.ResourceName] = true
		switch p.ResourceName {
		case core.ResourceCPU, core.ResourceMemory:
		case "":
			errs = append(errs, field.Required(fldPath, ""))
		default:
			errs = append(errs, field.NotSupported(fldPath, p.ResourceName, []string{"cpu", "memory"}))
		}
		switch p.RestartPolicy {
		case core.NotRequired, core.RestartContainer:
		case "":
			errs = append(errs, field.Required(fldPath, ""))
		default:
			errs = append(errs, field.NotSupported(fldPath, string(p.RestartPolicy),
				[]string{string(core.NotRequired), string(core.RestartContainer)}))
		}
		if podRestart == core.RestartPolicyNever && p.RestartPolicy != core.NotRequired {
			errs = append(errs, field.Invalid(fldPath, string(p.RestartPolicy), "must be 'NotRequired' when `restartPolicy` is 'Never'"))
		}
	}
	return errs
}
