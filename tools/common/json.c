#include "json.h"

#include <stdio.h>

void print_json_string(const char *key, const char *value)
{
    printf("\"%s\":\"", key);
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            putchar('\\');
        if ((unsigned char)*p < 0x20)
            printf("\\u%04x", (unsigned char)*p);
        else
            putchar(*p);
    }
    putchar('"');
}

void print_json_number_array(const char *key, const number_list *list)
{
    printf("\"%s\":[", key);
    for (int i = 0; i < list->count; i++)
        printf("%s%ld", i ? "," : "", list->values[i]);
    putchar(']');
}
