#include "rtpscope_bpf.h"
int rtpscope_bpf_placeholder(void) { return 0; }
