/* A small C API over the libbpf skeleton of bpf/codec.bpf.c (the libavcodec/libavformat uprobes),
 * shaped for Swift like rtpscope_bpf.h: an opaque handle, plain structs, negative errno results
 * and one line of error text.
 *
 * Life cycle:  new → load → attach(pid, path, symbol, cookie) per probe … consume / read_stats …
 *              link_destroy per probe → destroy
 * Probes are attached one (process, library, function, entry|return) at a time, always with a
 * pid: an unfiltered uprobe would trap in every process that maps the library. */
#ifndef RTPSCOPE_CODEC_BPF_H
#define RTPSCOPE_CODEC_BPF_H

#include <stddef.h>
#include <stdint.h>

#include "../../../bpf/rtpscope_codec.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rtpscope_codec_bpf;
struct bpf_link;

/* Called once per finished call record while consuming; valid only during the call. */
typedef void (*rtpscope_codec_call_callback)(const struct rtpscope_codec_call *call, void *context);

/* NULL only when out of memory. */
struct rtpscope_codec_bpf *rtpscope_codec_bpf_new(void);
/* Opens, verifies and loads the programs and sets up the ring-buffer reader (0: 1 MiB). */
int rtpscope_codec_bpf_load(struct rtpscope_codec_bpf *bpf, uint32_t ring_buffer_bytes,
			    rtpscope_codec_call_callback callback, void *context);
/* Attaches the entry (return_probe 0) or return program to `symbol` in the ELF file `path` for
 * process `pid` only, with `cookie` (see rtpscope_codec.h). -ENOENT: the file lacks the symbol. */
int rtpscope_codec_bpf_attach(struct rtpscope_codec_bpf *bpf, int pid, const char *path,
			      const char *symbol, uint64_t cookie, int return_probe,
			      struct bpf_link **link);
/* Detaches one probe; NULL is accepted. */
void rtpscope_codec_bpf_link_destroy(struct bpf_link *link);

/* Delivers every call record waiting in the ring buffer; returns how many (or a negative errno). */
int rtpscope_codec_bpf_consume(struct rtpscope_codec_bpf *bpf);
/* The kernel's statistics of one (pid, function); -ENOENT when it has none yet. */
int rtpscope_codec_bpf_read_stats(const struct rtpscope_codec_bpf *bpf, uint32_t pid,
				  uint32_t function, struct rtpscope_codec_stats *out);
/* Drops the statistics of a process that is gone (its probes must be destroyed first). */
void rtpscope_codec_bpf_forget_process(struct rtpscope_codec_bpf *bpf, uint32_t pid);
/* Sums the per-CPU health counters (enum rtpscope_codec_counter). */
int rtpscope_codec_bpf_read_counters(const struct rtpscope_codec_bpf *bpf,
				     uint64_t out[RTPSCOPE_CODEC_COUNTER_COUNT]);
/* Kernel run time and count of the entry (index 0) and return (index 1) programs. */
int rtpscope_codec_bpf_program_stats(const struct rtpscope_codec_bpf *bpf, size_t index,
				     uint64_t *run_time_ns, uint64_t *run_count);

/* Last error of this handle, one line; "" when none. */
const char *rtpscope_codec_bpf_error(const struct rtpscope_codec_bpf *bpf);
/* Unloads and frees (destroy the links first); NULL is accepted. */
void rtpscope_codec_bpf_destroy(struct rtpscope_codec_bpf *bpf);

#ifdef __cplusplus
}
#endif
#endif /* RTPSCOPE_CODEC_BPF_H */
