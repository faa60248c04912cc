/* cgroup v2 id → path, for container attribution (see include/rtpscope_bpf.h). */
#define _GNU_SOURCE
#include "rtpscope_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cgroupfs (kernfs) exports its directories by 64-bit id: the id bpf_skb_cgroup_id and
 * bpf_get_current_cgroup_id return. FILEID_KERNFS in the kernel's exportfs.h. */
#define RTPSCOPE_FILEID_KERNFS 0xfe

int rtpscope_cgroup_path(int mount_fd, uint64_t id, char *out, size_t size)
{
	struct file_handle *handle = malloc(sizeof(*handle) + sizeof(id));
	if (!handle)
		return -ENOMEM;
	handle->handle_bytes = sizeof(id);
	handle->handle_type = RTPSCOPE_FILEID_KERNFS;
	memcpy(handle->f_handle, &id, sizeof(id));
	int fd = open_by_handle_at(mount_fd, handle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int error = fd < 0 ? -errno : 0;
	free(handle);
	if (fd < 0)
		return error;
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t length = readlink(link, out, size - 1);
	error = length < 0 ? -errno : 0;
	close(fd);
	if (length < 0)
		return error;
	out[length] = '\0';
	return 0;
}
