/* codec-call-loop: calls two libavcodec functions in tight loops so the cost a probe adds to each
 * call can be measured (tools/bench.py, codec section). av_packet_unref is a count-only probe (an
 * entry uprobe); avcodec_receive_packet on an unopened context returns an error at once and is a
 * timed probe (entry uprobe + uretprobe + a call record).
 *
 *   codec-call-loop CALLS ROUNDS   — each line on stdin starts a round; prints ns per call of each. */
#include <libavcodec/avcodec.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: codec-call-loop CALLS ROUNDS (a line on stdin starts each round)\n", stderr);
        return 2;
    }
    long calls = atol(argv[1]), rounds = atol(argv[2]);
    if (calls < 1 || calls > 100000000 || rounds < 1 || rounds > 1000) {
        fputs("codec-call-loop: CALLS in 1..1e8, ROUNDS in 1..1000\n", stderr);
        return 2;
    }
    AVPacket *packet = av_packet_alloc();
    AVCodecContext *context = avcodec_alloc_context3(NULL);
    if (!packet || !context) {
        fputs("codec-call-loop: out of memory\n", stderr);
        return 1;
    }
    for (long round = 0; round < rounds; round++) {
        if (getchar() == EOF)
            break;
        double start = seconds_now();
        for (long i = 0; i < calls; i++)
            av_packet_unref(packet);
        double middle = seconds_now();
        for (long i = 0; i < calls; i++)
            (void)avcodec_receive_packet(context, packet);
        double end = seconds_now();
        printf("count_only_ns=%.1f timed_ns=%.1f\n", (middle - start) / (double)calls * 1e9,
               (end - middle) / (double)calls * 1e9);
        fflush(stdout);
    }
    av_packet_free(&packet);
    avcodec_free_context(&context);
    return 0;
}
