# envc's everyday targets. `make test` is what CI runs (through .ci/run).
GO ?= go

.PHONY: build test lint bench update clean e2e

# CGO_ENABLED=0: static programs, as the README installs them (they run on
# any Linux, musl's included, and start without the dynamic loader).
build:
	CGO_ENABLED=0 $(GO) build -o bin/ ./cmd/envc ./cmd/envc-build

test:
	$(GO) test ./...

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Go benchmarks (parse, decode, compile, each emitter and the whole compile
# command, on the examples and on generated specs of 1x to 1000x the preCICE
# example and the large recipe), then whole-process timings (scripts/bench.sh,
# with internal/benchdata/cmd/proctime). BENCHFLAGS=-short leaves out the 1000x
# and large inputs.
BENCH ?= .
BENCHFLAGS ?=
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem $(BENCHFLAGS) ./...
	scripts/bench.sh

update:
	$(GO) test ./internal/cli -run 'TestGolden|TestDiagnostics|TestExplainGolden|TestReadmeMapping' -update
	$(GO) test ./internal/sifimage -update

# Builds every Debian-based case for real (docker build, buildkitd, apptainer
# build, vagrant up of QEMU machines, and the fast checks in containers) and
# compares them; needs root. See e2e/doc.go.
e2e:
	e2e/run.sh

clean:
	rm -rf bin out
