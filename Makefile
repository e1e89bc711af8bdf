# Seven: build, test, run.
SHELL := /bin/bash
MODULES := api apiserver scheduler controller-manager kubelet kube-proxy flanneld kubectl e2e examples
BINARIES := \
	apiserver/cmd/kube-apiserver \
	scheduler/cmd/kube-scheduler \
	controller-manager/cmd/kube-controller-manager \
	kubelet/cmd/kubelet \
	kubelet/cmd/seven-container-logger \
	kube-proxy/cmd/kube-proxy \
	flanneld/cmd/flanneld \
	kubectl/cmd/kubectl
OUT := _output
BIN := $(OUT)/bin
GO ?= go
# Short fuzzing in `make test`: a count of executions per target, not a duration, because
# Go 1.26's fuzz coordinator can fail a duration-bounded run at its deadline with a bare
# "context deadline exceeded" and no failing input (go.dev/issue/75804, fixed in Go 1.27).
# Raise for a longer hunt: make fuzz FUZZTIME=2000000x
FUZZTIME ?= 30000x

.PHONY: all build images test unit fuzz e2e up down bench lint deps clean

all: build

deps:
	./deploy/install-deps.sh

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ $(addprefix ./,$(BINARIES))

# The offline images (busybox, redis, the guestbook frontend, ...) into $(OUT)/images.
images:
	./deploy/build-images.sh

lint:
	@out=$$(gofmt -l $(MODULES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(addsuffix /...,$(addprefix ./,$(MODULES)))

# The tests use the binaries just built (kube-apiserver for apiservertest, kubectl for the
# node tests) rather than each building its own.
unit: build
	SEVEN_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 15m $(addsuffix /...,$(addprefix ./,$(filter-out e2e,$(MODULES))))

fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeAndValidate$$' -fuzztime=$(FUZZTIME) ./api/validation/
	$(GO) test -run='^$$' -fuzz='^FuzzParseQuantity$$' -fuzztime=$(FUZZTIME) ./api/resource/
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./api/labels/
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) ./apiserver/internal/registry/
	$(GO) test -run='^$$' -fuzz='^FuzzApply$$' -fuzztime=$(FUZZTIME) ./api/patch/
	$(GO) test -run='^$$' -fuzz='^FuzzProtobuf$$' -fuzztime=$(FUZZTIME) ./api/protobuf/

e2e: build images
	SEVEN_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 15m ./e2e/...

test: deps build lint unit fuzz e2e

# The local multi-node cluster (docs/local-cluster.md), as root: NODES=3 make up; flags of
# `seven-cluster up` in ARGS, e.g. make up ARGS=--api-port=18080
up: deps build
	./deploy/local-up.sh $(ARGS)

down:
	./deploy/local-down.sh $(ARGS)

bench: deps build
	SEVEN_BIN=$(CURDIR)/$(BIN) ./deploy/bench.sh

clean:
	rm -rf $(OUT)
