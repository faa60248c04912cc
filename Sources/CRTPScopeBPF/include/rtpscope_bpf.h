#ifndef RTPSCOPE_BPF_LOADER_H
#define RTPSCOPE_BPF_LOADER_H
/* PLACEHOLDER: C shim over the libbpf skeleton (the live-capture work fills this in). */
int rtpscope_bpf_placeholder(void);
#endif
