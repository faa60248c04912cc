#ifndef RTPSCOPE_BUILD_INFO_H
#define RTPSCOPE_BUILD_INFO_H

/* What `make` knew when it built this binary (generated/build_info.h, written by the Makefile's
 * build-info target); "unknown" when built without it (a plain `swift build`). */
const char *rtpscope_build_revision(void);
const char *rtpscope_build_swift_version(void);

#endif
