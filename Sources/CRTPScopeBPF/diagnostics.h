/* Internal to CRTPScopeBPF (not exported to Swift): what both loaders share. */
#ifndef RTPSCOPE_DIAGNOSTICS_H
#define RTPSCOPE_DIAGNOSTICS_H

#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#define RTPSCOPE_ERROR_SIZE 512

/* Routes libbpf's logging through our capture (first warning + verifier verdict, per thread). */
void rtpscope_diagnostics_install(void);
/* Forgets what was captured: call at the start of each step. */
void rtpscope_diagnostics_reset(void);
/* Writes "eBPF: <step> failed: <errno text>[: <libbpf's first warning>][ (verifier: <verdict>)]"
 * (or the privilege message for EPERM) into out; returns the negative errno. */
int rtpscope_diagnostics_fail(char *out, size_t size, int error, const char *step);
/* A ring-buffer size the kernel accepts: a power-of-two multiple of the page, 1 page...1 GiB. */
uint32_t rtpscope_ring_buffer_size(uint32_t requested, uint32_t default_bytes);
/* Sums one per-CPU array of u64 counters into out[0..<count]. */
int rtpscope_sum_per_cpu(const struct bpf_map *map, uint64_t *out, uint32_t count);

#endif
