package kubelet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"seven.dev/api/client"
	"seven.dev/api/core"
	apierrors "seven.dev/api/errors"
	"seven.dev/kubelet/pkg/container"
	"seven.dev/kubelet/pkg/network"
	"seven.dev/kubelet/pkg/volume"
)

// netPod is what the network plugin needs of a pod: its names and hostPorts.
func netPod(p *core.Pod) network.Pod {
	np := network.Pod{UID: p.UID, Namespace: p.Namespace, Name: p.Name}
	for _, c := range p.Spec.Containers {
		for _, port := range c.Ports {
			if port.HostPort > 0 {
				np.PortMappings = append(np.PortMappings, network.PortMapping{HostPort: port.HostPort, ContainerPort: port.ContainerPort,
					Protocol: strings.ToLower(string(port.Protocol)), HostIP: port.HostIP})
			}
		}
	}
	return np
}

// apiObjects reads configMaps and secrets for volumes from the API server.
type apiObjects struct{ c *client.Client }

func (o apiObjects) ConfigMap(ctx context.Context, ns, name string) (*core.ConfigMap, error) {
	cm, err := client.ConfigMaps(o.c).Get(ctx, ns, name)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%w: %w", volume.ErrNotFound, err)
	}
	return cm, err
}

func (o apiObjects) Secret(ctx context.Context, ns, name string) (*core.Secret, error) {
	s, err := client.Secrets(o.c).Get(ctx, ns, name)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%w: %w", volume.ErrNotFound, err)
	}
	return s, err
}

// setUpVolumes makes (or refreshes) the pod's volumes and its /etc/hosts and
// /etc/resolv.conf, returning the volumes' node paths.
func (k *Kubelet) setUpVolumes(ctx context.Context, pod *core.Pod, podIPs []string) (map[string]string, error) {
	if k.opts.NoVolumes {
		return nil, nil
	}
	resolve := func(it core.DownwardAPIVolumeFile) (string, error) {
		switch {
		case it.FieldRef != nil:
			return fieldRef(pod, k.nodeIP, podIPs, it.FieldRef.FieldPath)
		case it.ResourceFieldRef != nil:
			for i := range pod.Spec.Containers {
				if c := &pod.Spec.Containers[i]; c.Name == it.ResourceFieldRef.ContainerName || it.ResourceFieldRef.ContainerName == "" && i == 0 {
					return resourceField(c, it.ResourceFieldRef), nil
				}
			}
			return "", fmt.Errorf("downwardAPI %s: no container %q", it.Path, it.ResourceFieldRef.ContainerName)
		}
		return "", fmt.Errorf("downwardAPI %s: no fieldRef or resourceFieldRef", it.Path)
	}
	paths, err := k.volumes.SetUp(ctx, pod, resolve)
	if err != nil {
		return nil, err
	}
	if !pod.Spec.HostNetwork {
		if err := k.writeEtcFiles(pod, podIPs); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

func (k *Kubelet) etcDir(uid string) string { return filepath.Join(k.opts.RootDir, "pods", uid, "etc") }

// writeEtcFiles writes the pod's hosts file (its own name on its IP) and resolv.conf
// (cluster DNS when configured, else the node's).
func (k *Kubelet) writeEtcFiles(pod *core.Pod, podIPs []string) error {
	dir := k.etcDir(pod.UID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	b.WriteString("fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n")
	if len(podIPs) > 0 {
		name := podHostname(pod)
		if pod.Spec.Subdomain != "" && k.opts.ClusterDomain != "" {
			name = fmt.Sprintf("%s.%s.%s.svc.%s\t%s", name, pod.Spec.Subdomain, pod.Namespace, k.opts.ClusterDomain, name)
		}
		fmt.Fprintf(&b, "%s\t%s\n", podIPs[0], name)
	}
	if err := writeIfChanged(filepath.Join(dir, "hosts"), b.String()); err != nil {
		return err
	}
	if err := writeIfChanged(filepath.Join(dir, "hostname"), podHostname(pod)+"\n"); err != nil {
		return err
	}
	resolv := ""
	if len(k.opts.ClusterDNS) > 0 && pod.Spec.DNSPolicy != core.DNSDefault {
		var r strings.Builder
		for _, ns := range k.opts.ClusterDNS {
			fmt.Fprintf(&r, "nameserver %s\n", ns)
		}
		if d := k.opts.ClusterDomain; d != "" {
			fmt.Fprintf(&r, "search %s.svc.%s svc.%s %s\n", pod.Namespace, d, d, d)
		}
		r.WriteString("options ndots:5\n")
		resolv = r.String()
	} else {
		data, _ := os.ReadFile("/etc/resolv.conf")
		resolv = string(data)
	}
	return writeIfChanged(filepath.Join(dir, "resolv.conf"), resolv)
}

func writeIfChanged(path, content string) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == content {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// containerMounts are c's volume mounts plus the pod's hosts, hostname and resolv.conf
// (unless c mounts its own there).
func (k *Kubelet) containerMounts(pod *core.Pod, c *core.Container, paths map[string]string) ([]container.Mount, error) {
	ms, err := volume.Mounts(c, paths)
	if err != nil {
		return nil, err
	}
	if pod.Spec.HostNetwork || k.opts.NoVolumes {
		return ms, nil
	}
	taken := map[string]bool{}
	for _, m := range ms {
		taken[filepath.Clean(m.Destination)] = true
	}
	for _, f := range []string{"hosts", "hostname", "resolv.conf"} {
		if dst := "/etc/" + f; !taken[dst] {
			ms = append(ms, container.Mount{Source: filepath.Join(k.etcDir(pod.UID), f), Destination: dst})
		}
	}
	return ms, nil
}
