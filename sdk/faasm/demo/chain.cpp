// Chain: main chains two functions of this module by pointer, each given
// three ints it checks; main waits for both, fails if either failed, and
// outputs "chained ok".
#include <faasm/faasm.h>
#include <faasm/input.h>

#include <cstdint>
#include <cstdio>

static const long inputLen = 3 * sizeof(int32_t);

// A chained call expects the input { idx, idx + 1, idx + 2 }.
static int checkInput(int32_t idx)
{
    int32_t got[3] = { 0, 0, 0 };
    if (faasmGetInputSize() != inputLen) {
        std::printf("chained call %d: input is %ld bytes, not %ld\n",
                    (int)idx,
                    faasmGetInputSize(),
                    inputLen);
        return 1;
    }
    faasmGetInput(BYTES(got), inputLen);

    for (int i = 0; i < 3; i++) {
        if (got[i] != idx + i) {
            std::printf("chained call %d: got [%d, %d, %d]\n",
                        (int)idx,
                        (int)got[0],
                        (int)got[1],
                        (int)got[2]);
            return 1;
        }
    }
    std::printf("chained call %d: input ok\n", (int)idx);
    return 0;
}

int chainFirst()
{
    return checkInput(1);
}

int chainSecond()
{
    return checkInput(2);
}

int main()
{
    FaasmFuncPtr funcs[2] = { chainFirst, chainSecond };
    unsigned int ids[2];

    for (int i = 0; i < 2; i++) {
        int32_t idx = i + 1;
        int32_t data[3] = { idx, idx + 1, idx + 2 };
        ids[i] = faasmChain(funcs[i], BYTES(data), inputLen);
    }

    int failed = 0;
    for (int i = 0; i < 2; i++) {
        unsigned int rc = faasmAwaitCall(ids[i]);
        if (rc != 0) {
            std::printf("chained call %d failed (%u)\n", i + 1, rc);
            failed = 1;
        }
    }
    if (failed) {
        return 1;
    }

    faasm::setStringOutput("chained ok");
    return 0;
}
