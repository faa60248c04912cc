/* JSON output of the tools' one-line reports (printed to stdout). */
#ifndef RTPSCOPE_TOOLS_JSON_H
#define RTPSCOPE_TOOLS_JSON_H

#include "options.h"

/* "key":"value"; the values printed never need escaping except a process name, escaped minimally. */
void print_json_string(const char *key, const char *value);
/* "key":[v1,v2,…] */
void print_json_number_array(const char *key, const number_list *list);

#endif
