/* libbpf skeleton loader for bpf/codec.bpf.c. See include/rtpscope_codec_bpf.h for the contract. */
#include "rtpscope_codec_bpf.h"
#include "diagnostics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#if __has_include("generated/codec.skel.h")
#include "generated/codec.skel.h"
#else
#error "Sources/CRTPScopeBPF/generated/codec.skel.h is missing: run `make bpf-skeleton` first"
#endif

struct rtpscope_codec_bpf {
	struct codec_skel *skeleton;
	struct ring_buffer *ring;
	rtpscope_codec_call_callback callback;
	void *callback_context;
	char error[RTPSCOPE_ERROR_SIZE];
};

static int fail(struct rtpscope_codec_bpf *bpf, int error, const char *step)
{
	return rtpscope_diagnostics_fail(bpf->error, sizeof(bpf->error), error, step);
}

static void begin_step(struct rtpscope_codec_bpf *bpf)
{
	bpf->error[0] = '\0';
	rtpscope_diagnostics_reset();
}

struct rtpscope_codec_bpf *rtpscope_codec_bpf_new(void)
{
	return calloc(1, sizeof(struct rtpscope_codec_bpf));
}

static int deliver_call(void *context, void *data, size_t size)
{
	struct rtpscope_codec_bpf *bpf = context;
	if (size >= sizeof(struct rtpscope_codec_call) && bpf->callback)
		bpf->callback(data, bpf->callback_context);
	return 0;
}

int rtpscope_codec_bpf_load(struct rtpscope_codec_bpf *bpf, uint32_t ring_buffer_bytes,
			    rtpscope_codec_call_callback callback, void *context)
{
	begin_step(bpf);
	rtpscope_diagnostics_install();
	if (bpf->skeleton)
		return fail(bpf, -EALREADY, "loading the codec probes");
	bpf->skeleton = codec_skel__open();
	if (!bpf->skeleton)
		return fail(bpf, errno, "opening the codec BPF object");
	uint32_t ring_bytes = rtpscope_ring_buffer_size(ring_buffer_bytes, 1u << 20);
	bpf->skeleton->rodata->wakeup_threshold_bytes = ring_bytes / 2;
	int error = bpf_map__set_max_entries(bpf->skeleton->maps.codec_calls, ring_bytes);
	if (error)
		return fail(bpf, error, "sizing the codec ring buffer");
	error = codec_skel__load(bpf->skeleton);
	if (error)
		return fail(bpf, error, "loading the codec probes");
	bpf->callback = callback;
	bpf->callback_context = context;
	bpf->ring = ring_buffer__new(bpf_map__fd(bpf->skeleton->maps.codec_calls), deliver_call, bpf,
				     NULL);
	if (!bpf->ring)
		return fail(bpf, errno, "opening the codec ring buffer");
	return 0;
}

int rtpscope_codec_bpf_attach(struct rtpscope_codec_bpf *bpf, int pid, const char *path,
			      const char *symbol, uint64_t cookie, int return_probe,
			      struct bpf_link **link)
{
	begin_step(bpf);
	*link = NULL;
	if (!bpf->skeleton || !bpf->ring)
		return fail(bpf, -EINVAL, "attaching before loading");
	if (pid <= 0)
		return fail(bpf, -EINVAL, "attaching a codec probe without a pid");
	LIBBPF_OPTS(bpf_uprobe_opts, options, .func_name = symbol, .bpf_cookie = cookie,
		    .retprobe = return_probe != 0);
	struct bpf_program *program = return_probe ? bpf->skeleton->progs.codec_return
						   : bpf->skeleton->progs.codec_enter;
	*link = bpf_program__attach_uprobe_opts(program, pid, path, 0, &options);
	if (!*link) {
		int error = -errno;
		char step[512];
		snprintf(step, sizeof(step), "attaching %s%s in %s (pid %d)",
			 return_probe ? "the return probe of " : "", symbol, path, pid);
		return fail(bpf, error, step);
	}
	return 0;
}

void rtpscope_codec_bpf_link_destroy(struct bpf_link *link)
{
	bpf_link__destroy(link);
}

int rtpscope_codec_bpf_consume(struct rtpscope_codec_bpf *bpf)
{
	if (!bpf->ring)
		return -EINVAL;
	return ring_buffer__consume(bpf->ring);
}

int rtpscope_codec_bpf_read_stats(const struct rtpscope_codec_bpf *bpf, uint32_t pid,
				  uint32_t function, struct rtpscope_codec_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!bpf->skeleton)
		return -EINVAL;
	struct rtpscope_codec_key key = { .pid = pid, .function = function };
	int error = bpf_map__lookup_elem(bpf->skeleton->maps.codec_stats, &key, sizeof(key), out,
					 sizeof(*out), 0);
	return error ? (errno ? -errno : error) : 0;
}

void rtpscope_codec_bpf_forget_process(struct rtpscope_codec_bpf *bpf, uint32_t pid)
{
	if (!bpf->skeleton)
		return;
	for (uint32_t function = 0; function < RTPSCOPE_CODEC_FUNCTION_COUNT; function++) {
		struct rtpscope_codec_key key = { .pid = pid, .function = function };
		bpf_map__delete_elem(bpf->skeleton->maps.codec_stats, &key, sizeof(key), 0);
	}
}

int rtpscope_codec_bpf_read_counters(const struct rtpscope_codec_bpf *bpf,
				     uint64_t out[RTPSCOPE_CODEC_COUNTER_COUNT])
{
	memset(out, 0, sizeof(uint64_t) * RTPSCOPE_CODEC_COUNTER_COUNT);
	if (!bpf->skeleton)
		return -EINVAL;
	return rtpscope_sum_per_cpu(bpf->skeleton->maps.codec_counters, out,
				    RTPSCOPE_CODEC_COUNTER_COUNT);
}

int rtpscope_codec_bpf_program_stats(const struct rtpscope_codec_bpf *bpf, size_t index,
				     uint64_t *run_time_ns, uint64_t *run_count)
{
	*run_time_ns = 0;
	*run_count = 0;
	if (!bpf->skeleton || index > 1)
		return -EINVAL;
	const struct bpf_program *program = index == 0 ? bpf->skeleton->progs.codec_enter
						       : bpf->skeleton->progs.codec_return;
	struct bpf_prog_info info;
	memset(&info, 0, sizeof(info));
	uint32_t length = sizeof(info);
	int error = bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &length);
	if (error)
		return error;
	*run_time_ns = info.run_time_ns;
	*run_count = info.run_cnt;
	return 0;
}

const char *rtpscope_codec_bpf_error(const struct rtpscope_codec_bpf *bpf)
{
	return bpf ? bpf->error : "";
}

void rtpscope_codec_bpf_destroy(struct rtpscope_codec_bpf *bpf)
{
	if (!bpf)
		return;
	ring_buffer__free(bpf->ring);
	codec_skel__destroy(bpf->skeleton);
	free(bpf);
}
