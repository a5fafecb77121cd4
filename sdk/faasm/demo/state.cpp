// State: a counter in state key "counter" (4 bytes, absent means 0); adds
// one, writes it back and outputs the new number as text.
#include <faasm/faasm.h>
#include <faasm/input.h>

#include <cstdint>
#include <cstdio>

int main()
{
    const char* key = "counter";
    int32_t count = 0;

    faasmLockStateWrite(key);
    if (faasmReadStateSize(key) == sizeof(count)) {
        faasmReadState(key, BYTES(&count), sizeof(count));
    }
    count++;
    faasmWriteState(key, BYTES(&count), sizeof(count));
    faasmPushState(key);
    faasmUnlockStateWrite(key);

    char text[16];
    std::snprintf(text, sizeof(text), "%d", (int)count);
    faasm::setStringOutput(text);
    return 0;
}
