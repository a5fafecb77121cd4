/* Fail: prints a line and returns 1, so the call fails. */
#include <stdio.h>

int main(void)
{
    printf("This function fails on purpose\n");
    return 1;
}
