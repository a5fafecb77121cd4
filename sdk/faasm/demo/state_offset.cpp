// State offset: writes a 7-byte value, overwrites two ranges of it, reads a
// range back and outputs "success" if it holds what was written, else
// "failure".
#include <faasm/faasm.h>
#include <faasm/input.h>

#include <cstdint>
#include <cstring>

int main()
{
    const char* key = "state_offset_demo";
    const long total = 7;

    const uint8_t initial[7] = { 10, 11, 12, 13, 14, 15, 16 };
    faasmWriteState(key, initial, total);
    faasmPushState(key);

    // 20, 20, 12, 13, 14, 15, 16
    const uint8_t front[2] = { 20, 20 };
    faasmWriteStateOffset(key, total, 0, front, 2);

    // 20, 20, 12, 30, 31, 32, 16
    const uint8_t middle[3] = { 30, 31, 32 };
    faasmWriteStateOffset(key, total, 3, middle, 3);
    faasmPushState(key);

    faasmPullState(key, total);
    const uint8_t expected[5] = { 20, 12, 30, 31, 32 };
    uint8_t actual[5] = { 0 };
    faasmReadStateOffset(key, total, 1, actual, 5);

    bool ok = std::memcmp(actual, expected, sizeof(expected)) == 0;
    faasm::setStringOutput(ok ? "success" : "failure");
    return 0;
}
