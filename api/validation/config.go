package validation

import (
	"encoding/json"
	"maps"

	"seven.dev/api/core"
	"seven.dev/api/field"
	"seven.dev/api/names"
)

const immutableWhenSetMsg = "field is immutable when `immutable` is set"

// ValidateConfigMap checks a config map: keys, no key in both data and
// binaryData, and at most 1 MiB of values.
func ValidateConfigMap(cm *core.ConfigMap) field.ErrorList {
	errs := ValidateObjectMeta(&cm.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	total := 0
	for _, k := range sortedKeys(cm.Data) {
		p := field.NewPath("data").Key(k)
		errs = append(errs, invalidEach(p, k, names.IsConfigMapKey(k))...)
		if _, dup := cm.BinaryData[k]; dup {
			errs = append(errs, field.Invalid(p, k, "duplicate of key present in binaryData"))
		}
		total += len(cm.Data[k])
	}
	for _, k := range sortedKeys(cm.BinaryData) {
		errs = append(errs, invalidEach(field.NewPath("binaryData").Key(k), k, names.IsConfigMapKey(k))...)
		total += len(cm.BinaryData[k])
	}
	if total > core.MaxSecretSize {
		// The whole object is at fault; upstream reports an empty path.
		errs = append(errs, field.TooLong(field.NewPath(""), "", core.MaxSecretSize))
	}
	return errs
}

// ValidateConfigMapUpdate checks an update of a config map; an immutable
// one keeps its data.
func ValidateConfigMapUpdate(cm, old *core.ConfigMap) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&cm.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	if deref(old.Immutable) {
		if !deref(cm.Immutable) {
			errs = append(errs, field.Forbidden(field.NewPath("immutable"), immutableWhenSetMsg))
		}
		if !maps.Equal(cm.Data, old.Data) {
			errs = append(errs, field.Forbidden(field.NewPath("data"), immutableWhenSetMsg))
		}
		if !semanticEqual(cm.BinaryData, old.BinaryData) {
			errs = append(errs, field.Forbidden(field.NewPath("binaryData"), immutableWhenSetMsg))
		}
	}
	return append(errs, ValidateConfigMap(cm)...)
}

// ValidateSecret checks a secret: keys, at most 1 MiB of data, and the keys
// each well-known type requires. The registry merges stringData into data
// before validating.
func ValidateSecret(s *core.Secret) field.ErrorList {
	errs := ValidateObjectMeta(&s.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
	data := field.NewPath("data")
	total := 0
	for _, k := range sortedKeys(s.Data) {
		errs = append(errs, invalidEach(data.Key(k), k, names.IsConfigMapKey(k))...)
		total += len(s.Data[k])
	}
	if total > core.MaxSecretSize {
		errs = append(errs, field.TooLong(data, "", core.MaxSecretSize))
	}
	require := func(key string) bool {
		if _, ok := s.Data[key]; !ok {
			errs = append(errs, field.Required(data.Key(key), ""))
			return false
		}
		return true
	}
	switch s.Type {
	case core.SecretTypeServiceAccountToken:
		if s.Annotations[core.ServiceAccountNameKey] == "" {
			errs = append(errs, field.Required(field.NewPath("metadata", "annotations").Key(core.ServiceAccountNameKey), ""))
		}
	case core.SecretTypeDockercfg, core.SecretTypeDockerConfigJSON:
		key := core.DockerConfigKey
		if s.Type == core.SecretTypeDockerConfigJSON {
			key = core.DockerConfigJSONKey
		}
		if require(key) {
			if err := json.Unmarshal(s.Data[key], &map[string]any{}); err != nil {
				errs = append(errs, field.Invalid(data.Key(key), "<secret contents redacted>", err.Error()))
			}
		}
	case core.SecretTypeBasicAuth:
		_, user := s.Data[core.BasicAuthUsernameKey]
		_, pass := s.Data[core.BasicAuthPasswordKey]
		if !user && !pass {
			errs = append(errs, field.Required(data.Key(core.BasicAuthUsernameKey), ""),
				field.Required(data.Key(core.BasicAuthPasswordKey), ""))
		}
	case core.SecretTypeSSHAuth:
		if len(s.Data[core.SSHAuthPrivateKey]) == 0 {
			errs = append(errs, field.Required(data.Key(core.SSHAuthPrivateKey), ""))
		}
	case core.SecretTypeTLS:
		require(core.TLSCertKey)
		require(core.TLSPrivateKeyKey)
	}
	return errs
}

// ValidateSecretUpdate checks an update of a secret: its type never
// changes, and an immutable one keeps its data.
func ValidateSecretUpdate(s, old *core.Secret) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&s.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateImmutable(string(s.Type), string(old.Type), field.NewPath("type"))...)
	if deref(old.Immutable) {
		if !deref(s.Immutable) {
			errs = append(errs, field.Forbidden(field.NewPath("immutable"), immutableWhenSetMsg))
		}
		if !semanticEqual(s.Data, old.Data) {
			errs = append(errs, field.Forbidden(field.NewPath("data"), immutableWhenSetMsg))
		}
	}
	return append(errs, ValidateSecret(s)...)
}

// ValidateServiceAccount checks a service account (its metadata).
func ValidateServiceAccount(sa *core.ServiceAccount) field.ErrorList {
	return ValidateObjectMeta(&sa.ObjectMeta, true, nameIsDNSSubdomain, field.NewPath("metadata"))
}

// ValidateServiceAccountUpdate checks an update of a service account.
func ValidateServiceAccountUpdate(sa, old *core.ServiceAccount) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&sa.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, ValidateServiceAccount(sa)...)
}
