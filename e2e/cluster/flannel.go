package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// flannelConfigKey is where flanneld (with its default -etcd-prefix) reads the network config.
const flannelConfigKey = "/coreos.com/network/config"

// flannelConfig is the network config the seeds write with etcdctl: one /24 per node out of
// the pod network, over vxlan.
func flannelConfig(podNetwork string) string {
	b, _ := json.Marshal(map[string]any{"Network": podNetwork, "SubnetLen": 24, "Backend": map[string]string{"Type": "vxlan"}})
	return string(b)
}

// putFlannelConfig writes the network config into the embedded etcd at endpoint.
func putFlannelConfig(ctx context.Context, endpoint, podNetwork string) error {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return fmt.Errorf("etcd client for %s: %w", endpoint, err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, flannelConfigKey, flannelConfig(podNetwork)); err != nil {
		return fmt.Errorf("put %s into etcd at %s: %w", flannelConfigKey, endpoint, err)
	}
	return nil
}
