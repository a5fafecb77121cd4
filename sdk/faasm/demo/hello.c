/* Hello: plain C; prints a line and outputs "hello". */
#include <faasm/faasm.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    const char* out = "hello";
    printf("Hello from a Fleet function\n");
    faasmSetOutput(out, (long)strlen(out));
    return 0;
}
