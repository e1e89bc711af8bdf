package hollow

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/core"
	"seven.dev/api/resource"
	"seven.dev/kubelet/pkg/fakeruntime"
	"seven.dev/kubelet/pkg/kubelet"
	"seven.dev/kubelet/pkg/network"
)

// Options configure hollow nodes; zero fields take the defaults.
type Options struct {
	// Prefix names the nodes Prefix+"<i>"; default "hollow-node-".
	Prefix string
	// Capacity of every node; default cpu 4, memory 32Gi, pods 110.
	Capacity core.ResourceList
	// Labels are added to every node's labels.
	Labels map[string]string
	// StatusUpdateFrequency defaults to 10 s; LeaseRenewInterval to 10 s.
	StatusUpdateFrequency, LeaseRenewInterval time.Duration
	// Events turns event recording on (off by default: thousands of nodes).
	Events bool
	// Logger defaults to a discarding logger.
	Logger *slog.Logger
}

// DefaultCapacity is a hollow node's capacity unless Options.Capacity is set.
func DefaultCapacity() core.ResourceList {
	return core.ResourceList{
		core.ResourceCPU:              resource.MustParse("4"),
		core.ResourceMemory:           resource.MustParse("32Gi"),
		core.ResourcePods:             resource.MustParse("110"),
		core.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
}

// NewNode builds one hollow kubelet (index i) without running it.
func NewNode(c *client.Client, i int, opts Options) (*kubelet.Kubelet, *fakeruntime.Runtime, error) {
	if opts.Prefix == "" {
		opts.Prefix = "hollow-node-"
	}
	if opts.Capacity == nil {
		opts.Capacity = DefaultCapacity()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	rt := fakeruntime.New()
	k, err := kubelet.New(c, kubelet.Options{
		NodeName:              fmt.Sprintf("%s%d", opts.Prefix, i),
		NodeIP:                fmt.Sprintf("10.%d.%d.%d", 240+i/65536%16, i/256%256, i%256),
		Labels:                opts.Labels,
		Runtime:               rt,
		Network:               &network.Fake{Base: fmt.Sprintf("10.%d.%d", 64+i/256%64, i%256)},
		StatusUpdateFrequency: opts.StatusUpdateFrequency,
		LeaseRenewInterval:    opts.LeaseRenewInterval,
		ResyncInterval:        -1,
		Capacity:              opts.Capacity,
		NoServiceEnv:          true,
		NoEvents:              !opts.Events,
		NoVolumes:             true,
		HousekeepingInterval:  -1,
		Logger:                opts.Logger,
	})
	return k, rt, err
}

// RunHollowNodes starts n hollow kubelets talking through c and returns a function that
// stops them and waits until they have stopped. Nodes register in the background; wait
// for them through the API (a node list or informer) when a test needs them Ready.
func RunHollowNodes(ctx context.Context, c *client.Client, n int, opts Options) (stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	stop = func() { cancel(); wg.Wait() }
	for i := 0; i < n; i++ {
		k, _, err := NewNode(c, i, opts)
		if err != nil {
			stop()
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = k.Run(ctx)
		}()
	}
	return stop, nil
}
