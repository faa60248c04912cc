#include "fail.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void exit_with_message(int status, const char *fmt, va_list ap) __attribute__((noreturn));
static void exit_with_message(int status, const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", tool_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    exit(status);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    exit_with_message(1, fmt, ap);
}

void die_errno(const char *what)
{
    die("%s failed: %s", what, strerror(errno));
}

void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    exit_with_message(2, fmt, ap);
}

void bad_input(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    exit_with_message(tool_bad_input_status, fmt, ap);
}
