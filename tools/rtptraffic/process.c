#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/fail.h"
#include "common/json.h"
#include "rtptraffic.h"

void require(const void *value, const char *option, const char *subcommand)
{
    if (!value)
        die("%s needs %s", subcommand, option);
}

void require_count(const options *o, const char *subcommand)
{
    if (o->count < 0)
        die("%s needs --count N", subcommand);
}

void apply_comm(const options *o)
{
    if (o->comm && prctl(PR_SET_NAME, o->comm, 0, 0, 0) != 0)
        die_errno("prctl(PR_SET_NAME)");
}

static void current_comm(char out[17])
{
    memset(out, 0, 17);
    if (prctl(PR_GET_NAME, out, 0, 0, 0) != 0)
        die_errno("prctl(PR_GET_NAME)");
}

void print_process_identity(const char *subcommand)
{
    char comm[17];
    current_comm(comm);
    printf("{\"cmd\":\"%s\",\"pid\":%d,", subcommand, (int)getpid());
    print_json_string("comm", comm);
}
