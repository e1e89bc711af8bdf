package core

import "seven.dev/api/meta"

// ConfigMap holds configuration data for pods to consume.
type ConfigMap struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Immutable       *bool             `json:"immutable,omitempty" protobuf:"varint,4,opt,name=immutable"`
	Data            map[string]string `json:"data,omitempty" protobuf:"bytes,2,rep,name=data"`
	BinaryData      map[string][]byte `json:"binaryData,omitempty" protobuf:"bytes,3,rep,name=binaryData"`
}

// ConfigMapList is a list of config maps.
type ConfigMapList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []ConfigMap `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// Secret holds sensitive data. Data values are base64 in JSON (encoding/json's
// []byte encoding, as upstream); StringData is a write-only convenience the API
// server merges into Data.
type Secret struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Immutable       *bool             `json:"immutable,omitempty" protobuf:"varint,5,opt,name=immutable"`
	Data            map[string][]byte `json:"data,omitempty" protobuf:"bytes,2,rep,name=data"`
	StringData      map[string]string `json:"stringData,omitempty" protobuf:"bytes,4,rep,name=stringData"`
	Type            SecretType        `json:"type,omitempty" protobuf:"bytes,3,opt,name=type"`
}

// SecretList is a list of secrets.
type SecretList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []Secret `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// SecretType says what a secret holds and which keys it must have.
type SecretType string

// Values of SecretType.
const (
	SecretTypeOpaque              SecretType = "Opaque"
	SecretTypeServiceAccountToken SecretType = "kubernetes.io/service-account-token"
	SecretTypeDockercfg           SecretType = "kubernetes.io/dockercfg"
	SecretTypeDockerConfigJSON    SecretType = "kubernetes.io/dockerconfigjson"
	SecretTypeBasicAuth           SecretType = "kubernetes.io/basic-auth"
	SecretTypeSSHAuth             SecretType = "kubernetes.io/ssh-auth"
	SecretTypeTLS                 SecretType = "kubernetes.io/tls"
	SecretTypeBootstrapToken      SecretType = "bootstrap.kubernetes.io/token"
)

// Well-known keys and annotations of secrets.
const (
	ServiceAccountNameKey       = "kubernetes.io/service-account.name"
	ServiceAccountUIDKey        = "kubernetes.io/service-account.uid"
	ServiceAccountTokenKey      = "token"
	ServiceAccountKubeconfigKey = "kubernetes.kubeconfig"
	ServiceAccountRootCAKey     = "ca.crt"
	ServiceAccountNamespaceKey  = "namespace"
	DockerConfigKey             = ".dockercfg"
	DockerConfigJSONKey         = ".dockerconfigjson"
	BasicAuthUsernameKey        = "username"
	BasicAuthPasswordKey        = "password"
	SSHAuthPrivateKey           = "ssh-privatekey"
	TLSCertKey                  = "tls.crt"
	TLSPrivateKeyKey            = "tls.key"
)

// MaxSecretSize is the largest a secret's data may be (1 MiB).
const MaxSecretSize = 1 << 20

// ServiceAccount is an identity for processes running in pods.
type ServiceAccount struct {
	meta.TypeMeta                `json:",inline"`
	meta.ObjectMeta              `json:"metadata,omitzero" protobuf:"bytes,1,opt,name=metadata"`
	Secrets                      []ObjectReference      `json:"secrets,omitempty" patchStrategy:"merge" patchMergeKey:"name" protobuf:"bytes,2,rep,name=secrets"`
	ImagePullSecrets             []LocalObjectReference `json:"imagePullSecrets,omitempty" protobuf:"bytes,3,rep,name=imagePullSecrets"`
	AutomountServiceAccountToken *bool                  `json:"automountServiceAccountToken,omitempty" protobuf:"varint,4,opt,name=automountServiceAccountToken"`
}

// ServiceAccountList is a list of service accounts.
type ServiceAccountList struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Items         []ServiceAccount `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// DefaultServiceAccountName is the service account every namespace gets.
const DefaultServiceAccountName = "default"
