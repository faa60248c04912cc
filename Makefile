# rtpscope — `make run` and `make test` are all the set-up a fresh Debian 12 machine needs.
#
#   make deps    install the system packages the project uses (idempotent; apt-get only when missing)
#   make build   release binary at .build/release/rtpscope (+ BPF skeleton, C tools in build/)
#   make test    deps + build + every test (unit, conformance, fixtures, live eBPF end to end) and
#                check-generated (fixtures and fuzz seeds match their generators and bpf/rtpscope_event.h)
#   make run     deps + build + start the live exporter on :9310 (root)
#   make bench   benchmarks (offline analyzer vs tshark vs bare libpcap; live overhead)
#   make soak    the live monitor for SOAK_SECONDS (1800) at 50,000 RTP packets/s over 500 churning
#                streams: RSS growth, lost events, scrape latency (root; not part of make test)
#   make install binary, systemd unit and bash completion under PREFIX (/usr/local)
#   make fuzz    libFuzzer targets of fuzz/ (own package, own .build), FUZZ_SECONDS (300) each;
#                make fuzz-smoke: 20 s each, fails on any crash (FUZZ_SANITIZER=address adds ASan)

SHELL := /bin/bash
SWIFT_BIN ?= /opt/swift/usr/bin
SWIFT := $(SWIFT_BIN)/swift
export PATH := $(SWIFT_BIN):$(PATH)
CC ?= cc
BUILD_DIR := build
RTPSCOPE := .build/release/rtpscope

# Debian packages: libraries we link (libpcap, libbpf, libelf, zlib), the BPF skeleton generator,
# and the real peers the tests measure against (tshark/dumpcap, tcpdump, ffmpeg, GStreamer, Prometheus,
# headless Chromium for the HTML report's screenshot test; openssl makes the web-config tests'
# certificates, systemd-analyze rates the unit; python3-jsonschema and python3-yaml check deploy/).
DEB_PACKAGES := libpcap-dev libbpf-dev libelf-dev zlib1g-dev bpftool \
	tshark tcpdump ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
	prometheus iproute2 curl time python3 librsvg2-bin openssl systemd chromium fonts-dejavu-core \
	libavcodec-dev libavutil-dev libavformat-dev pkg-config python3-jsonschema python3-yaml

.PHONY: all deps build test run bench conformance fixtures tools install clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
			{ echo "deps: apt-get install failed (run as root on Debian 12)" >&2; exit 1; }; \
	else echo "deps: all present"; fi
	@test -x $(SWIFT) || { echo "deps: Swift toolchain not found at $(SWIFT_BIN) (set SWIFT_BIN)" >&2; exit 1; }

include bpf/bpf.mk

tools: $(BUILD_DIR)/rtptraffic $(BUILD_DIR)/pcap-bare-loop $(BUILD_DIR)/codecpush $(BUILD_DIR)/avpacket-offset $(BUILD_DIR)/codec-call-loop \
	$(BUILD_DIR)/udp-paths

# rtptraffic and codecpush: one folder each, sharing tools/common/ (endpoints, packet builders,
# clocks, options, JSON, failure reporting). Small enough to compile whole in one cc call.
TOOL_CFLAGS := -Wall -Wextra -O2 -Itools
TOOLS_COMMON := $(wildcard tools/common/*.c tools/common/*.h)

$(BUILD_DIR)/rtptraffic: $(wildcard tools/rtptraffic/*.c tools/rtptraffic/*.h) $(TOOLS_COMMON)
	@mkdir -p $(BUILD_DIR)
	$(CC) $(TOOL_CFLAGS) -o $@ $(filter %.c,$^)

# The capture-path tests' and the live benchmark's traffic: send+receive loop, late reader, io_uring.
$(BUILD_DIR)/udp-paths: tools/udp-paths.c
	@mkdir -p $(BUILD_DIR)
	$(CC) -Wall -Wextra -O2 -o $@ $<

$(BUILD_DIR)/pcap-bare-loop: tools/pcap-bare-loop.c
	@mkdir -p $(BUILD_DIR)
	$(CC) -Wall -Wextra -O2 -o $@ $< -lpcap

# libavcodec users for the codec-uprobe tests (MJPEG encode-then-send; AVPacket layout check).
LIBAV_FLAGS = $$(pkg-config --cflags --libs libavcodec libavutil)

$(BUILD_DIR)/codecpush: $(wildcard tools/codecpush/*.c tools/codecpush/*.h) $(TOOLS_COMMON)
	@mkdir -p $(BUILD_DIR)
	$(CC) $(TOOL_CFLAGS) -o $@ $(filter %.c,$^) $(LIBAV_FLAGS) -lm

$(BUILD_DIR)/codec-call-loop: tools/codec-call-loop.c
	@mkdir -p $(BUILD_DIR)
	$(CC) -Wall -Wextra -O2 -o $@ $< $(LIBAV_FLAGS)

$(BUILD_DIR)/avpacket-offset: tools/avpacket-offset.c
	@mkdir -p $(BUILD_DIR)
	$(CC) -Wall -Wextra -O2 -o $@ $< $(LIBAV_FLAGS)

# The shipped binary, built the same way here and in the container image (`make release-binary`):
# - the Swift runtime and Foundation linked in: `make install` needs no Swift toolchain on the
#   host, and a run starts without resolving ~11,000 symbols across Foundation's and ICU's shared
#   libraries (libbpf, libpcap, libelf and zlib stay the system's);
# - Swift's exclusivity checks decided at compile time only: the run-time ones are a call into
#   the runtime (and a thread-local access set) around every access to a class's stored property,
#   several per packet on the live path. Debug builds, which `make test`'s unit tests and the
#   fuzzers run, keep them, so an overlapping access still fails there.
RELEASE_FLAGS := -c release --product rtpscope --static-swift-stdlib -Xswiftc -enforce-exclusivity=unchecked
build: release-binary tools

.PHONY: release-binary
release-binary: build-info $(BPF_SKELETON)
	$(SWIFT) build $(RELEASE_FLAGS)

# rtpscope_build_info's revision and Swift version, as C string literals for Sources/CBuildInfo.
# The revision: RTPSCOPE_REVISION if given, else git's HEAD, else REVISION (git archive fills it in
# through export-subst, so a release tarball knows its commit), else "unknown". The header is
# rewritten only when it changes, so an unchanged tree does not recompile.
BUILD_INFO_H := Sources/CBuildInfo/generated/build_info.h
.PHONY: build-info
build-info:
	@mkdir -p $(dir $(BUILD_INFO_H))
	@revision="$${RTPSCOPE_REVISION:-$$(git rev-parse HEAD 2>/dev/null)}"; \
	if [ -z "$$revision" ] && [ -f REVISION ] && ! grep -q Format REVISION; then revision=$$(head -c 64 REVISION | tr -cd '0-9a-f'); fi; \
	swift_version=$$($(SWIFT) --version 2>/dev/null | sed -n 's/.*Swift version \([0-9][0-9.]*\).*/\1/p' | head -n 1); \
	printf '#define RTPSCOPE_REVISION "%s"\n#define RTPSCOPE_SWIFT_VERSION "%s"\n' \
		"$$(printf %s "$${revision:-unknown}" | tr -cd '0-9A-Za-z._+-')" "$${swift_version:-unknown}" > $(BUILD_INFO_H).tmp; \
	if cmp -s $(BUILD_INFO_H).tmp $(BUILD_INFO_H); then rm $(BUILD_INFO_H).tmp; else mv $(BUILD_INFO_H).tmp $(BUILD_INFO_H); fi

test: deps build check-generated check-deploy
	$(SWIFT) test
	@echo "test: all suites passed"

conformance: deps build
	$(SWIFT) test --filter SharedCapturesConformanceTests

fixtures:
	python3 fixtures/generate.py

# Generated files match their generators: fixtures/synthetic byte for byte, the fuzz seed corpora,
# and the seeds' packing of struct rtpscope_event, checked by the C compiler against bpf/rtpscope_event.h.
# deploy/: the rules and their tests (promtool), the Grafana dashboard against Grafana's JSON schema
# (deploy/grafana/schema/), the Containerfile against the repository, the Makefile and the
# DaemonSet; --self-test shows each check rejects broken copies. The image itself is built only
# where a container builder exists (none is required): make container-image.
# Debian's python3 (python3-jsonschema, python3-yaml), whatever python3 comes first in PATH.
DEB_PYTHON ?= /usr/bin/python3
# A builder that can build here: podman or buildah, or docker with a reachable daemon.
CONTAINER_BUILDER = $(firstword $(foreach b,podman buildah,$(shell command -v $(b) 2>/dev/null)) \
	$(shell command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && command -v docker))
.PHONY: check-deploy container-image
check-deploy:
	promtool check rules deploy/prometheus/rules.yml
	promtool test rules deploy/prometheus/rules_test.yml
	$(DEB_PYTHON) deploy/grafana/check-dashboard.py --self-test
	$(DEB_PYTHON) deploy/container/check-containerfile.py --self-test
	@if [ -n "$(CONTAINER_BUILDER)" ]; then $(MAKE) container-image; \
	else echo "check-deploy: no podman, buildah or docker daemon: image not built (make container-image builds it)"; fi

container-image:
	@test -n "$(CONTAINER_BUILDER)" || { echo "container-image: needs podman, buildah or docker" >&2; exit 1; }
	$(if $(findstring buildah,$(CONTAINER_BUILDER)),$(CONTAINER_BUILDER) bud,$(CONTAINER_BUILDER) build) \
		-f deploy/container/Containerfile -t rtpscope:0.1.0 .

.PHONY: check-generated
check-generated:
	python3 fixtures/generate.py --check
	CC="$(CC)" python3 fuzz/make-seeds.py --check

run: deps build
	@if [ "$$(id -u)" != 0 ]; then echo "run: the live monitor needs root (or CAP_BPF+CAP_PERFMON, +CAP_NET_ADMIN for the socket capture): sudo make run" >&2; exit 1; fi
	$(RTPSCOPE) monitor --web.listen-address 0.0.0.0:9310

bench: deps build
	python3 tools/bench.py

SOAK_SECONDS ?= 1800
.PHONY: soak
soak: deps build
	python3 tools/soak.py --seconds $(SOAK_SECONDS)

# Parsers under libFuzzer: fuzz/run.sh builds fuzz/ (-sanitize=fuzzer) and prints executions per target.
FUZZ_SECONDS ?= 300
.PHONY: fuzz fuzz-smoke
FUZZ_SANITIZER ?=
fuzz: $(BPF_SKELETON)
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SANITIZER=$(FUZZ_SANITIZER) SWIFT_BIN=$(SWIFT_BIN) fuzz/run.sh
# The same run, shorter (a target-specific value reaches the prerequisite's recipe).
fuzz-smoke: FUZZ_SECONDS = 20
fuzz-smoke: fuzz

PREFIX ?= /usr/local
install: build
	install -D -m 0755 $(RTPSCOPE) $(DESTDIR)$(PREFIX)/bin/rtpscope
	install -D -m 0644 deploy/systemd/rtpscope.service $(DESTDIR)/etc/systemd/system/rtpscope.service
	# The unit reads this web config; an existing one (certificates, users) is never overwritten.
	test -e $(DESTDIR)/etc/rtpscope/web-config.yml || \
		install -D -m 0600 deploy/systemd/web-config.yml $(DESTDIR)/etc/rtpscope/web-config.yml
	install -d $(DESTDIR)/usr/share/bash-completion/completions
	$(RTPSCOPE) --generate-completion-script bash > $(DESTDIR)/usr/share/bash-completion/completions/rtpscope

clean:
	rm -rf .build $(BUILD_DIR) bench-out
