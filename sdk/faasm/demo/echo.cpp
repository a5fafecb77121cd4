// Echo: outputs its input (and says so on stdout); with no input it
// outputs "Nothing to echo".
#include <faasm/faasm.h>
#include <faasm/input.h>

#include <cstdio>
#include <cstring>

int main()
{
    const char* input = faasm::getStringInput("");
    size_t len = std::strlen(input);

    if (len == 0) {
        faasm::setStringOutput("Nothing to echo");
        return 0;
    }

    std::printf("Echoing %s\n", input);
    faasmSetOutput(input, (long)len);
    return 0;
}
