/*
 * pcap-bare-loop: the throughput baseline for `rtpscope analyze`.
 *
 * Opens a capture with libpcap (pcap or pcapng, nanosecond timestamps like rtpscope) and calls
 * pcap_next_ex over every record, touching only the record header: the sum of captured lengths
 * is printed so the compiler cannot drop the loop. Whatever rtpscope does per packet comes on
 * top of this cost, so its packets/s divided by this program's is its efficiency (target ≥ 50 %).
 *
 * Build:  cc -O2 -o pcap-bare-loop tools/pcap-bare-loop.c -lpcap
 * Run:    ./pcap-bare-loop capture.pcap
 *         (run twice: the first run may measure the disk, not the loop)
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double seconds_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    double start = seconds_now();
    pcap_t *capture = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (capture == NULL) {
        fprintf(stderr, "%s: %s\n", argv[1], errbuf);
        return 1;
    }
    struct pcap_pkthdr *header;
    const u_char *data;
    uint64_t packets = 0, captured_bytes = 0;
    int status;
    while ((status = pcap_next_ex(capture, &header, &data)) == 1) {
        packets++;
        captured_bytes += header->caplen;
    }
    if (status == PCAP_ERROR)
        fprintf(stderr, "%s: %s\n", argv[1], pcap_geterr(capture));
    pcap_close(capture);
    double elapsed = seconds_now() - start;
    printf("packets %llu captured_bytes %llu seconds %.3f packets/s %.0f\n",
           (unsigned long long)packets, (unsigned long long)captured_bytes, elapsed, packets / elapsed);
    return status == PCAP_ERROR ? 1 : 0;
}
