#ifndef RTPSCOPE_CZLIB_SHIM_H
#define RTPSCOPE_CZLIB_SHIM_H
#include <stdio.h>
#include <sys/types.h>
#include <zlib.h>

/* glibc's fopencookie(3): a stdio FILE over read/close callbacks, here to hand libpcap a gzip stream
 * as it is inflated. Declared here under names of our own (bound to the glibc symbol) because Swift's
 * Glibc module is built without _GNU_SOURCE, which hides the declaration; the struct has the layout of
 * glibc's cookie_io_functions_t. */
typedef struct {
    ssize_t (*read)(void *cookie, char *buffer, size_t size);
    ssize_t (*write)(void *cookie, const char *buffer, size_t size);
    int (*seek)(void *cookie, off_t *offset, int whence);
    int (*close)(void *cookie);
} rtpscope_cookie_io_functions;

FILE *rtpscope_fopencookie(void *cookie, const char *mode, rtpscope_cookie_io_functions functions)
    __asm__("fopencookie");
#endif
