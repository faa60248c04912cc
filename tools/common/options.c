#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"

long parse_long(const char *text, const char *option, long min, long max)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 0);
    if (errno != 0 || *text == '\0' || *end != '\0' || value < min || value > max)
        bad_input("%s: expected an integer in [%ld, %ld], got '%s'", option, min, max, text);
    return value;
}

void parse_list(const char *text, number_list *list, const char *option, long min, long max)
{
    char *copy = strdup(text);
    if (!copy)
        die_errno("strdup");
    for (char *save = NULL, *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (list->count == MAX_LIST)
            bad_input("%s: more than %d entries", option, MAX_LIST);
        list->values[list->count++] = parse_long(item, option, min, max);
    }
    free(copy);
}

bool number_list_contains(const number_list *list, long value)
{
    for (int i = 0; i < list->count; i++)
        if (list->values[i] == value)
            return true;
    return false;
}
