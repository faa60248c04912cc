/* Shared by the loaders: libbpf's log reduced to one line of error text, ring-buffer sizing and
 * per-CPU counter sums. See diagnostics.h. */
#include "diagnostics.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* ---- libbpf logging → one line ----
 * libbpf reports failures through its print callback, in several lines (and a whole verifier log
 * for a rejected program). We keep only the first warning and the verifier's last line, per
 * thread (libbpf calls back on the thread that called it), and print nothing unless asked. */

static __thread char first_warning[RTPSCOPE_ERROR_SIZE];
static __thread char verifier_verdict[RTPSCOPE_ERROR_SIZE];

static void copy_trimmed(char *target, const char *text, size_t length)
{
	while (length > 0 && (text[length - 1] == '\n' || text[length - 1] == ' '))
		length--;
	if (length >= RTPSCOPE_ERROR_SIZE)
		length = RTPSCOPE_ERROR_SIZE - 1;
	memcpy(target, text, length);
	target[length] = '\0';
	for (char *c = target; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
}

/* The verifier's conclusion is the last non-empty line before "-- END PROG LOAD LOG --" that is
 * not its statistics footer ("processed N insns ..."). */
static void capture_verifier_verdict(const char *message)
{
	const char *end = strstr(message, "-- END PROG LOAD LOG --");
	if (!end)
		end = message + strlen(message);
	const char *line_end = end;
	while (line_end > message) {
		while (line_end > message && line_end[-1] == '\n')
			line_end--;
		const char *line_start = line_end;
		while (line_start > message && line_start[-1] != '\n')
			line_start--;
		if (line_end > line_start && strncmp(line_start, "processed ", 10) != 0 &&
		    strncmp(line_start, "verification time", 17) != 0 &&
		    strncmp(line_start, "stack depth", 11) != 0) {
			copy_trimmed(verifier_verdict, line_start, (size_t)(line_end - line_start));
			return;
		}
		line_end = line_start;
	}
}

static int print_libbpf(enum libbpf_print_level level, const char *format, va_list arguments)
{
	static int debug = -1;
	if (debug < 0) {
		const char *value = getenv("RTPSCOPE_BPF_DEBUG");
		debug = value && strcmp(value, "1") == 0;
	}
	if (debug) {
		va_list copy;
		va_copy(copy, arguments);
		vfprintf(stderr, format, copy);
		va_end(copy);
	}
	if (level != LIBBPF_WARN)
		return 0;
	char message[8192];
	vsnprintf(message, sizeof(message), format, arguments);
	if (strstr(message, "BEGIN PROG LOAD LOG")) {
		capture_verifier_verdict(message);
		return 0;
	}
	if (first_warning[0] == '\0') {
		const char *text = strncmp(message, "libbpf: ", 8) == 0 ? message + 8 : message;
		copy_trimmed(first_warning, text, strlen(text));
	}
	return 0;
}

void rtpscope_diagnostics_reset(void)
{
	first_warning[0] = '\0';
	verifier_verdict[0] = '\0';
}

void rtpscope_diagnostics_install(void)
{
	libbpf_set_print(print_libbpf);
}

/* "eBPF: <step> failed: <errno text>[: <libbpf's first warning>][ (verifier: <verdict>)]" */
int rtpscope_diagnostics_fail(char *out, size_t size, int error, const char *step)
{
	if (error > 0)
		error = -error;
	if (error == 0)
		error = -EINVAL;
	if (error == -EPERM) {
		snprintf(out, size,
			 "eBPF: permission denied %s (need root or CAP_BPF+CAP_PERFMON)", step);
		return error;
	}
	int length = snprintf(out, size, "eBPF: %s failed: %s", step,
			      strerror(-error));
	if (first_warning[0] && (size_t)length < size)
		length += snprintf(out + length, size - length, ": %s",
				   first_warning);
	if (verifier_verdict[0] && (size_t)length < size)
		snprintf(out + length, size - length, " (verifier: %s)",
			 verifier_verdict);
	return error;
}

uint32_t rtpscope_ring_buffer_size(uint32_t requested, uint32_t default_bytes)
{
	uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE);
	uint32_t size = requested ? requested : default_bytes;
	if (size < page)
		size = page;
	if (size > (1u << 30))
		size = 1u << 30;
	uint32_t power = page;
	while (power < size)
		power <<= 1; /* the kernel wants a power-of-two multiple of the page size */
	return power;
}

/* Sums one per-CPU array of u64 counters into `out[0..<count]`. */
int rtpscope_sum_per_cpu(const struct bpf_map *map, uint64_t *out, uint32_t count)
{
	int cpus = libbpf_num_possible_cpus();
	if (cpus <= 0)
		return cpus ? cpus : -EINVAL;
	uint64_t *values = calloc((size_t)cpus, sizeof(uint64_t));
	if (!values)
		return -ENOMEM;
	int error = 0;
	for (uint32_t key = 0; key < count && !error; key++) {
		error = bpf_map__lookup_elem(map, &key, sizeof(key), values,
					     (size_t)cpus * sizeof(uint64_t), 0);
		out[key] = 0;
		for (int cpu = 0; cpu < cpus && !error; cpu++)
			out[key] += values[cpu];
	}
	free(values);
	return error;
}

