/* Exit: leaves through exit(3) (WASI proc_exit) instead of returning. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    printf("Exiting with 3\n");
    exit(3);
}
