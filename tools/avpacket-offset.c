/*
 * avpacket-offset: prints where the installed libavcodec headers put AVPacket.size, so a test can
 * compare it with the per-major-version offset table rtpscope's codec uprobes use
 * (bpf/rtpscope_codec.h: the cookie's offsetof(AVPacket, size)).
 *
 *   libavcodec_major=59 avpacket_size_offset=N avpacket_sizeof=M
 *
 * The values come from the headers at compile time; the major version is checked against the
 * library actually loaded, so a header/library mismatch is an error rather than a wrong answer.
 *
 * Build: cc -Wall -Wextra -O2 -o build/avpacket-offset tools/avpacket-offset.c \
 *            $(pkg-config --cflags --libs libavcodec libavutil)
 */
#include <stddef.h>
#include <stdio.h>

#include <libavcodec/avcodec.h>
#include <libavcodec/packet.h>

int main(void)
{
    unsigned loaded_major = AV_VERSION_MAJOR(avcodec_version());
    if (loaded_major != LIBAVCODEC_VERSION_MAJOR) {
        fprintf(stderr, "avpacket-offset: headers are libavcodec %d but the loaded library is %u\n",
                LIBAVCODEC_VERSION_MAJOR, loaded_major);
        return 1;
    }
    printf("libavcodec_major=%d avpacket_size_offset=%zu avpacket_sizeof=%zu\n", LIBAVCODEC_VERSION_MAJOR,
           offsetof(AVPacket, size), sizeof(AVPacket));
    return 0;
}
