#ifndef RTPSCOPE_CPCAP_SHIM_H
#define RTPSCOPE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
