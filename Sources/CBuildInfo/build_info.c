#include "rtpscope_build_info.h"

/* Written by `make build-info` (not committed): RTPSCOPE_REVISION and RTPSCOPE_SWIFT_VERSION as string
 * literals. A C define carries a value, which a Swift -D flag cannot; and only this file recompiles
 * when the revision changes. */
#if __has_include("generated/build_info.h")
#include "generated/build_info.h"
#endif

#ifndef RTPSCOPE_REVISION
#define RTPSCOPE_REVISION "unknown"
#endif
#ifndef RTPSCOPE_SWIFT_VERSION
#define RTPSCOPE_SWIFT_VERSION "unknown"
#endif

const char *rtpscope_build_revision(void) { return RTPSCOPE_REVISION; }
const char *rtpscope_build_swift_version(void) { return RTPSCOPE_SWIFT_VERSION; }
