/* Option values of the C test tools; bad values end the tool (bad_input) naming the option. */
#ifndef RTPSCOPE_TOOLS_OPTIONS_H
#define RTPSCOPE_TOOLS_OPTIONS_H

#include <stdbool.h>

#define MAX_LIST 4096 /* longest comma-separated list option */

/* An integer in [min, max]; base 0, so 0x… is accepted (--ssrc). */
long parse_long(const char *text, const char *option, long min, long max);

/* A comma-separated list of bounded integers (sequence numbers, milliseconds). */
typedef struct {
    long values[MAX_LIST];
    int count;
} number_list;

/* Appends the items of `text` to `list`. */
void parse_list(const char *text, number_list *list, const char *option, long min, long max);
bool number_list_contains(const number_list *list, long value);

#endif
