package validation

import (
	"path"
	"path/filepath"
	"slices"
	"strings"

	"seven.dev/api/core"
	"seven.dev/api/field"
)

// minTokenExpirationSeconds and maxTokenExpirationSeconds bound a projected
// service account token's lifetime (10 minutes to 2^32 seconds).
const (
	minTokenExpirationSeconds = 10 * 60
	maxTokenExpirationSeconds = 1 << 32
	maxCSIDriverNameLength    = 63
)

// hostPathTypes lists the host path types in upstream's (sorted) order.
func hostPathTypes() []string {
	return []string{
		string(core.HostPathUnset), string(core.HostPathBlockDev), string(core.HostPathCharDev),
		string(core.HostPathDirectory), string(core.HostPathDirectoryOrCreate), string(core.HostPathFile),
		string(core.HostPathFileOrCreate), string(core.HostPathSocket),
	}
}

// validateVolumes checks a pod's volumes and returns the valid ones by name
// for mount validation.
func validateVolumes(volumes []core.Volume, fldPath *field.Path) (map[string]core.VolumeSource, field.ErrorList) {
	var errs field.ErrorList
	valid := map[string]core.VolumeSource{}
	seen := map[string]bool{}
	for i, v := range volumes {
		p := fldPath.Index(i)
		el := validateVolumeSource(&v.VolumeSource, p)
		if v.Name == "" {
			el = append(el, field.Required(p.Child("name"), ""))
		} else {
			el = append(el, validateDNS1123Label(v.Name, p.Child("name"))...)
		}
		if seen[v.Name] {
			el = append(el, field.Duplicate(p.Child("name"), v.Name))
		}
		if len(el) == 0 {
			seen[v.Name] = true
			valid[v.Name] = v.VolumeSource
		} else {
			errs = append(errs, el...)
		}
	}
	return valid, errs
}

// validateVolumeSource requires exactly one source and checks it; sources
// are visited in upstream's order so that "more than 1" lands on the same
// field.
func validateVolumeSource(src *core.VolumeSource, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	one := func(name string) bool {
		if n > 0 {
			errs = append(errs, field.Forbidden(p.Child(name), "may not specify more than 1 volume type"))
			return false
		}
		n++
		return true
	}
	if src.EmptyDir != nil {
		n++
		if l := src.EmptyDir.SizeLimit; l != nil && l.Sign() < 0 {
			errs = append(errs, field.Forbidden(p.Child("emptyDir", "sizeLimit"), "SizeLimit field must be a valid resource quantity"))
		}
	}
	if src.HostPath != nil && one("hostPath") {
		errs = append(errs, validateHostPath(src.HostPath, p.Child("hostPath"))...)
	}
	if src.Secret != nil && one("secret") {
		s, sp := src.Secret, p.Child("secret")
		if s.SecretName == "" {
			errs = append(errs, field.Required(sp.Child("secretName"), ""))
		}
		errs = append(errs, validateFileMode(s.DefaultMode, sp.Child("defaultMode"))...)
		errs = append(errs, validateKeyToPaths(s.Items, sp.Child("items"))...)
	}
	if src.NFS != nil && one("nfs") {
		np := p.Child("nfs")
		if src.NFS.Server == "" {
			errs = append(errs, field.Required(np.Child("server"), ""))
		}
		if src.NFS.Path == "" {
			errs = append(errs, field.Required(np.Child("path"), ""))
		}
		if !path.IsAbs(src.NFS.Path) {
			errs = append(errs, field.Invalid(np.Child("path"), src.NFS.Path, "must be an absolute path"))
		}
	}
	if src.PersistentVolumeClaim != nil && one("persistentVolumeClaim") && src.PersistentVolumeClaim.ClaimName == "" {
		errs = append(errs, field.Required(p.Child("persistentVolumeClaim", "claimName"), ""))
	}
	// "downwarAPI" is upstream's spelling in this one message.
	if src.DownwardAPI != nil && one("downwarAPI") {
		dp := p.Child("downwardAPI")
		errs = append(errs, validateFileMode(src.DownwardAPI.DefaultMode, dp.Child("defaultMode"))...)
		for _, f := range src.DownwardAPI.Items {
			errs = append(errs, validateDownwardAPIFile(&f, dp)...)
		}
	}
	if src.ConfigMap != nil && one("configMap") {
		c, cp := src.ConfigMap, p.Child("configMap")
		if c.Name == "" {
			errs = append(errs, field.Required(cp.Child("name"), ""))
		}
		errs = append(errs, validateFileMode(c.DefaultMode, cp.Child("defaultMode"))...)
		errs = append(errs, validateKeyToPaths(c.Items, cp.Child("items"))...)
	}
	if src.Projected != nil && one("projected") {
		pp := p.Child("projected")
		errs = append(errs, validateFileMode(src.Projected.DefaultMode, pp.Child("defaultMode"))...)
		errs = append(errs, validateProjectionSources(src.Projected, pp)...)
	}
	if src.CSI != nil && one("csi") {
		errs = append(errs, validateCSI(src.CSI, p.Child("csi"))...)
	}
	if n == 0 {
		errs = append(errs, field.Required(p, "must specify a volume type"))
	}
	return errs
}

func validateHostPath(hp *core.HostPathVolumeSource, p *field.Path) field.ErrorList {
	if hp.Path == "" {
		return field.ErrorList{field.Required(p.Child("path"), "")}
	}
	errs := validatePathNoBacksteps(hp.Path, p.Child("path"))
	if hp.Type != nil && !slices.Contains(hostPathTypes(), string(*hp.Type)) {
		errs = append(errs, field.NotSupported(p.Child("type"), string(*hp.Type), hostPathTypes()))
	}
	return errs
}

func validateKeyToPaths(items []core.KeyToPath, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range items {
		errs = append(errs, validateKeyToPath(&items[i], p.Index(i))...)
	}
	return errs
}

func validateKeyToPath(kp *core.KeyToPath, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if kp.Key == "" {
		errs = append(errs, field.Required(p.Child("key"), ""))
	}
	if kp.Path == "" {
		errs = append(errs, field.Required(p.Child("path"), ""))
	}
	errs = append(errs, validateLocalNonReservedPath(kp.Path, p.Child("path"))...)
	return append(errs, validateFileMode(kp.Mode, p.Child("mode"))...)
}

func validateDownwardAPIFile(f *core.DownwardAPIVolumeFile, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if f.Path == "" {
		errs = append(errs, field.Required(p.Child("path"), ""))
	}
	errs = append(errs, validateLocalNonReservedPath(f.Path, p.Child("path"))...)
	switch {
	case f.FieldRef != nil:
		errs = append(errs, validateObjectFieldSelector(f.FieldRef, volumeFieldPaths(), p.Child("fieldRef"))...)
		if f.ResourceFieldRef != nil {
			errs = append(errs, field.Invalid(p, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
		}
	case f.ResourceFieldRef != nil:
		errs = append(errs, validateResourceFieldSelector(f.ResourceFieldRef, true, p.Child("resourceFieldRef"))...)
	default:
		errs = append(errs, field.Required(p, "one of fieldRef and resourceFieldRef is required"))
	}
	return append(errs, validateFileMode(f.Mode, p.Child("mode"))...)
}

func validateProjectionSources(proj *core.ProjectedVolumeSource, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	paths := map[string]bool{}
	// claim records a projected file path, reporting the second claimant.
	claim := func(file string, value any) {
		if file == "" {
			return
		}
		if paths[file] {
			errs = append(errs, field.Invalid(p, value, "conflicting duplicate paths"))
		}
		paths[file] = true
	}
	for i, s := range proj.Sources {
		n := 0
		sp := p.Child("sources").Index(i)
		if s.Secret != nil {
			n++
			if s.Secret.Name == "" {
				errs = append(errs, field.Required(sp.Child("secret", "name"), ""))
			}
			for j, kp := range s.Secret.Items {
				errs = append(errs, validateKeyToPath(&kp, sp.Child("secret", "items").Index(j))...)
				claim(kp.Path, s.Secret.Name)
			}
		}
		if s.ConfigMap != nil {
			n++
			if s.ConfigMap.Name == "" {
				errs = append(errs, field.Required(sp.Child("configMap", "name"), ""))
			}
			for j, kp := range s.ConfigMap.Items {
				errs = append(errs, validateKeyToPath(&kp, sp.Child("configMap", "items").Index(j))...)
				claim(kp.Path, s.ConfigMap.Name)
			}
		}
		if s.DownwardAPI != nil {
			n++
			for _, f := range s.DownwardAPI.Items {
				errs = append(errs, validateDownwardAPIFile(&f, sp.Child("downwardAPI"))...)
				claim(f.Path, f.Path)
			}
		}
		if t := s.ServiceAccountToken; t != nil {
			n++
			tp := sp.Child("serviceAccountToken")
			if t.ExpirationSeconds != nil {
				if *t.ExpirationSeconds < minTokenExpirationSeconds {
					errs = append(errs, field.Invalid(tp.Child("expirationSeconds"), *t.ExpirationSeconds, "may not specify a duration less than 10 minutes"))
				}
				if *t.ExpirationSeconds > maxTokenExpirationSeconds {
					errs = append(errs, field.Invalid(tp.Child("expirationSeconds"), *t.ExpirationSeconds, "may not specify a duration larger than 2^32 seconds"))
				}
			}
			if t.Path == "" {
				errs = append(errs, field.Required(p.Child("path"), ""))
			} else {
				errs = append(errs, validateLocalNonReservedPath(t.Path, p.Child("path"))...)
			}
		}
		if n > 1 {
			errs = append(errs, field.Forbidden(sp, "may not specify more than 1 volume type per source"))
		}
	}
	return errs
}

func validateCSI(c *core.CSIVolumeSource, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	dp := p.Child("driver")
	if c.Driver == "" {
		errs = append(errs, field.Required(dp, ""))
	}
	if len(c.Driver) > maxCSIDriverNameLength {
		errs = append(errs, field.TooLong(dp, "", maxCSIDriverNameLength))
	}
	errs = append(errs, invalidEach(dp, c.Driver, nameIsDNSSubdomain(strings.ToLower(c.Driver), false))...)
	if r := c.NodePublishSecretRef; r != nil {
		if r.Name == "" {
			errs = append(errs, field.Required(p.Child("nodePublishSecretRef", "name"), ""))
		} else {
			errs = append(errs, invalidEach(p.Child("name"), r.Name, nameIsDNSSubdomain(r.Name, false))...)
		}
	}
	return errs
}

// validateLocalDescendingPath requires a relative path without "..".
func validateLocalDescendingPath(target string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if path.IsAbs(target) {
		errs = append(errs, field.Invalid(p, target, "must be a relative path"))
	}
	return append(errs, validatePathNoBacksteps(target, p)...)
}

func validatePathNoBacksteps(target string, p *field.Path) field.ErrorList {
	if slices.Contains(strings.Split(filepath.ToSlash(target), "/"), "..") {
		return field.ErrorList{field.Invalid(p, target, "must not contain '..'")}
	}
	return nil
}

// validateLocalNonReservedPath additionally rejects names starting with
// "..", which the atomic writer of projected volumes reserves.
func validateLocalNonReservedPath(target string, p *field.Path) field.ErrorList {
	errs := validateLocalDescendingPath(target, p)
	if strings.HasPrefix(target, "..") && !strings.HasPrefix(target, "../") {
		errs = append(errs, field.Invalid(p, target, "must not start with '..'"))
	}
	return errs
}

func validateVolumeMounts(mounts []core.VolumeMount, devices map[string]string, volumes map[string]core.VolumeSource, c *core.Container, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	mountPaths := map[string]bool{}
	for i, m := range mounts {
		p := fldPath.Index(i)
		if m.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		}
		if _, ok := volumes[m.Name]; !ok {
			errs = append(errs, field.NotFound(p.Child("name"), m.Name))
		}
		if m.MountPath == "" {
			errs = append(errs, field.Required(p.Child("mountPath"), ""))
		}
		if mountPaths[m.MountPath] {
			errs = append(errs, field.Invalid(p.Child("mountPath"), m.MountPath, "must be unique"))
		}
		mountPaths[m.MountPath] = true
		if _, ok := devices[m.Name]; ok {
			errs = append(errs, field.Invalid(p.Child("name"), m.Name, "must not already exist in volumeDevices"))
		}
		for _, dp := range devices {
			if dp == m.MountPath {
				errs = append(errs, field.Invalid(p.Child("mountPath"), m.MountPath, "must not already exist as a path in volumeDevices"))
				break
			}
		}
		// Upstream reports these three at the list, not the item.
		if m.SubPath != "" {
			errs = append(errs, validateLocalDescendingPath(m.SubPath, fldPath.Child("subPath"))...)
		}
		if m.SubPathExpr != "" {
			if m.SubPath != "" {
				errs = append(errs, field.Invalid(p.Child("subPathExpr"), m.SubPathExpr, "subPathExpr and subPath are mutually exclusive"))
			}
			errs = append(errs, validateLocalDescendingPath(m.SubPathExpr, fldPath.Child("subPathExpr"))...)
		}
		if mp := m.MountPropagation; mp != nil {
			pp := fldPath.Child("mountPropagation")
			switch *mp {
			case core.MountPropagationBidirectional, core.MountPropagationHostToContainer, core.MountPropagationNone:
			default:
				errs = append(errs, field.NotSupported(pp, string(*mp), []string{
					string(core.MountPropagationBidirectional), string(core.MountPropagationHostToContainer), string(core.MountPropagationNone)}))
			}
			privileged := c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged
			if *mp == core.MountPropagationBidirectional && !privileged {
				errs = append(errs, field.Forbidden(pp, "Bidirectional mount propagation is available only to privileged containers"))
			}
		}
		errs = append(errs, validateRecursiveReadOnly(m, fldPath.Child("recursiveReadOnly"))...)
	}
	return errs
}

func validateRecursiveReadOnly(m core.VolumeMount, p *field.Path) field.ErrorList {
	if m.RecursiveReadOnly == nil {
		return nil
	}
	var errs field.ErrorList
	switch *m.RecursiveReadOnly {
	case core.RecursiveReadOnlyDisabled:
	case core.RecursiveReadOnlyEnabled, core.RecursiveReadOnlyIfPossible:
		if !m.ReadOnly {
			errs = append(errs, field.Forbidden(p, "may only be specified when readOnly is true"))
		}
		if m.MountPropagation != nil && *m.MountPropagation != core.MountPropagationNone {
			errs = append(errs, field.Forbidden(p, "may only be specified when mountPropagation is None or not specified"))
		}
	default:
		errs = append(errs, field.NotSupported(p, string(*m.RecursiveReadOnly), []string{
			string(core.RecursiveReadOnlyDisabled), string(core.RecursiveReadOnlyEnabled), string(core.RecursiveReadOnlyIfPossible)}))
	}
	return errs
}

func validateVolumeDevices(devices []core.VolumeDevice, mounts map[string]string, volumes map[string]core.VolumeSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	paths, names := map[string]bool{}, map[string]bool{}
	for i, d := range devices {
		p := fldPath.Index(i)
		src, found := volumes[d.Name]
		if d.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		}
		if names[d.Name] {
			errs = append(errs, field.Invalid(p.Child("name"), d.Name, "must be unique"))
		}
		if found && src.PersistentVolumeClaim == nil {
			errs = append(errs, field.Invalid(p.Child("name"), d.Name, "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"))
		}
		if !found {
			errs = append(errs, field.NotFound(p.Child("name"), d.Name))
		}
		if d.DevicePath == "" {
			errs = append(errs, field.Required(p.Child("devicePath"), ""))
		}
		if paths[d.DevicePath] {
			errs = append(errs, field.Invalid(p.Child("devicePath"), d.DevicePath, "must be unique"))
		}
		if d.DevicePath != "" && len(validatePathNoBacksteps(d.DevicePath, p)) > 0 {
			errs = append(errs, field.Invalid(p.Child("devicePath"), d.DevicePath, "can not contain backsteps ('..')"))
		} else {
			paths[d.DevicePath] = true
		}
		if _, ok := mounts[d.Name]; ok {
			errs = append(errs, field.Invalid(p.Child("name"), d.Name, "must not already exist in volumeMounts"))
		}
		for _, mp := range mounts {
			if mp == d.DevicePath {
				errs = append(errs, field.Invalid(p.Child("devicePath"), d.DevicePath, "must not already exist as a path in volumeMounts"))
				break
			}
		}
		if d.Name != "" {
			names[d.Name] = true
		}
	}
	return errs
}
