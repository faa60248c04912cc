/* How the C test tools fail: one line on stderr, "TOOL: what went wrong", and an exit status. */
#ifndef RTPSCOPE_TOOLS_FAIL_H
#define RTPSCOPE_TOOLS_FAIL_H

/* Each tool defines both once, in its main file. */
extern const char *const tool_name;
/* The exit status of bad input (an option's value, an address): the tools document different
 * ones (rtptraffic 1, codecpush 2) and the tests rely on them. */
extern const int tool_bad_input_status;

/* A failed call: exit status 1. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* "WHAT failed: strerror(errno)", exit status 1. */
void die_errno(const char *what) __attribute__((noreturn));
/* A bad command line: exit status 2. */
void usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* A bad option value: exit status tool_bad_input_status. */
void bad_input(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
