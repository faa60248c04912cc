# Makefile fragment: builds the eBPF object and its libbpf skeleton.
#
#   include bpf/bpf.mk          (from the top-level Makefile)
#   build test: $(BPF_OUTPUTS)  (or depend on the phony `bpf-skeleton`)
#
# Works stand-alone too: `make -f bpf/bpf.mk bpf-skeleton` from the repository root.
# Generated, not committed: $(BPF_BUILD_DIR)/ and the skeletons (*.skel.h).
# Generated and committed: bpf/vmlinux/<arch>/vmlinux.h (`make bpf-vmlinux` refreshes it).

# Where this fragment lives, so paths work whichever directory includes it.
BPF_MAKEFILE := $(lastword $(MAKEFILE_LIST))
BPF_DIR := $(patsubst %/,%,$(dir $(BPF_MAKEFILE)))
BPF_ROOT := $(patsubst %/,%,$(dir $(abspath $(BPF_DIR))))

# Swift's clang has the BPF back end; any clang >= 12 does.
BPF_CLANG ?= $(or $(wildcard /opt/swift/usr/bin/clang),clang)
BPFTOOL ?= $(or $(wildcard /usr/sbin/bpftool),bpftool)
BPF_VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
BPF_BUILD_DIR ?= $(BPF_ROOT)/build/bpf
BPF_CFLAGS ?= -g -O2 -Wall -Werror

# CO-RE: the kernel types come from a checked-in, generated vmlinux.h per architecture (as
# libbpf-bootstrap does), so building needs no BTF on the build host; the relocations adapt the
# programs to the running kernel at load time.
BPF_VMLINUX_DIR := $(BPF_DIR)/vmlinux/$(BPF_ARCH)
BPF_VMLINUX_H := $(BPF_VMLINUX_DIR)/vmlinux.h
# One object and skeleton per concern: the socket-layer capture (socket), the syscall capture
# (rtpscope) and the codec uprobes (codec); the monitor loads one capture and, when codec probes are
# wanted, the codec object.
BPF_PROGRAMS := socket rtpscope codec
BPF_SKELETONS := $(foreach p,$(BPF_PROGRAMS),$(BPF_ROOT)/Sources/CRTPScopeBPF/generated/$(p).skel.h)
BPF_HEADERS := $(BPF_DIR)/rtpscope_event.h $(BPF_DIR)/capture.bpf.h $(BPF_DIR)/rtpscope_codec.h
# Kept for the top-level Makefile, which depends on it.
BPF_SKELETON := $(BPF_SKELETONS)

# What `build` / `test` need before SwiftPM compiles CRTPScopeBPF.
BPF_OUTPUTS := $(BPF_SKELETONS)

.PHONY: bpf-skeleton bpf-clean bpf-vmlinux
bpf-skeleton: $(BPF_OUTPUTS)

$(BPF_VMLINUX_H):
	@echo "bpf.mk: no $(BPF_VMLINUX_H) for architecture $(BPF_ARCH): generate it with 'make bpf-vmlinux' on a host of that architecture whose kernel has BTF" >&2; exit 1

# Refreshes this architecture's vmlinux.h from the running kernel's BTF (a newer kernel's types are
# a superset for the fields we read; commit the result).
bpf-vmlinux:
	@test -r $(BPF_VMLINUX_BTF) || { echo "bpf.mk: $(BPF_VMLINUX_BTF) missing: the kernel has no BTF (CONFIG_DEBUG_INFO_BTF)" >&2; exit 1; }
	@mkdir -p $(BPF_VMLINUX_DIR)
	$(BPFTOOL) btf dump file $(BPF_VMLINUX_BTF) format c > $(BPF_VMLINUX_H).tmp
	mv $(BPF_VMLINUX_H).tmp $(BPF_VMLINUX_H)

$(BPF_BUILD_DIR)/%.compiled.bpf.o: $(BPF_DIR)/%.bpf.c $(BPF_HEADERS) $(BPF_VMLINUX_H)
	@mkdir -p $(@D)
	$(BPF_CLANG) $(BPF_CFLAGS) -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I $(BPF_DIR) -I $(BPF_VMLINUX_DIR) -c $< -o $@

# `gen object` links the object and drops the DWARF (BTF stays): the skeleton shrinks ~6x.
$(BPF_BUILD_DIR)/%.bpf.o: $(BPF_BUILD_DIR)/%.compiled.bpf.o
	$(BPFTOOL) gen object $@ $<

# The skeleton embeds the object, so the Swift binary carries its own BPF programs.
$(BPF_ROOT)/Sources/CRTPScopeBPF/generated/%.skel.h: $(BPF_BUILD_DIR)/%.bpf.o $(BPF_MAKEFILE)
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $*_skel > $@.tmp
	mv $@.tmp $@

.SECONDARY: $(foreach p,$(BPF_PROGRAMS),$(BPF_BUILD_DIR)/$(p).compiled.bpf.o $(BPF_BUILD_DIR)/$(p).bpf.o)

bpf-clean:
	rm -rf $(BPF_BUILD_DIR) $(BPF_SKELETONS)
