package server

import (
	"context"
	"net/netip"
	"strconv"

	"seven.dev/api/field"
	"seven.dev/api/meta"
	"seven.dev/apiserver/internal/allocator"
)

type (
	netipAddr   = netip.Addr
	metaObject  = meta.Object
	fieldErrors = field.ErrorList
)

// ipAllocator adapts the typed IP allocator to the registry's string interface.
type ipAllocator struct {
	a *allocator.Allocator[netip.Addr]
}

func (x ipAllocator) Allocate(ctx context.Context, item, owner string) error {
	ip, err := netip.ParseAddr(item)
	if err != nil {
		return err
	}
	return x.a.Allocate(ctx, ip, owner)
}

func (x ipAllocator) AllocateNext(ctx context.Context, owner string) (string, error) {
	ip, err := x.a.AllocateNext(ctx, owner)
	if err != nil {
		return "", err
	}
	return ip.String(), nil
}

func (x ipAllocator) Release(ctx context.Context, item string) error {
	ip, err := netip.ParseAddr(item)
	if err != nil {
		return nil
	}
	return x.a.Release(ctx, ip)
}

// portAllocator adapts the typed port allocator to the registry's string interface.
type portAllocator struct{ a *allocator.Allocator[int] }

func (x portAllocator) Allocate(ctx context.Context, item, owner string) error {
	p, err := strconv.Atoi(item)
	if err != nil {
		return err
	}
	return x.a.Allocate(ctx, p, owner)
}

func (x portAllocator) AllocateNext(ctx context.Context, owner string) (string, error) {
	p, err := x.a.AllocateNext(ctx, owner)
	if err != nil {
		return "", err
	}
	return strconv.Itoa(p), nil
}

func (x portAllocator) Release(ctx context.Context, item string) error {
	p, err := strconv.Atoi(item)
	if err != nil {
		return nil
	}
	return x.a.Release(ctx, p)
}
