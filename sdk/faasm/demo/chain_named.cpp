// Chain named: chains the function named by the input (same user, no
// input of its own) and outputs that call's output.
#include <faasm/faasm.h>
#include <faasm/input.h>

#include <cstdio>
#include <cstring>

int main()
{
    const char* name = faasm::getStringInput("");
    if (std::strlen(name) == 0) {
        faasm::setStringOutput("no function name given");
        return 1;
    }

    unsigned int id = faasmChainNamed(name, nullptr, 0);

    char* out = nullptr;
    int outLen = 0;
    unsigned int rc = faasmAwaitCallOutput(id, &out, &outLen);
    if (rc != 0) {
        std::printf("chained call to %s failed (%u)\n", name, rc);
        return 1;
    }

    faasmSetOutput(out != nullptr ? out : "", out != nullptr ? outLen : 0);
    return 0;
}
