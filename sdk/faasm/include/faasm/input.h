/*
 * Fleet Faasm SDK: input and output helpers (C++, header-only).
 */
#ifndef FLEET_FAASM_INPUT_H
#define FLEET_FAASM_INPUT_H

#ifndef __cplusplus
#error "faasm/input.h is C++; from C use faasmGetInput and faasmSetOutput"
#endif

#include <cstdlib>
#include <cstring>

#include "faasm/core.h"

namespace faasm {

/* The input as a NUL-terminated string, or defaultValue if the input is
 * empty. A non-default result is a new[] buffer the caller owns (most
 * functions read it once and let it live until the call ends). */
inline const char* getStringInput(const char* defaultValue)
{
    long size = faasmGetInputSize();
    if (size <= 0) {
        return defaultValue;
    }
    char* text = new char[size + 1];
    faasmGetInput(BYTES(text), size);
    text[size] = 0;
    return text;
}

/* Sets the output to the NUL-terminated string val (without the NUL). */
inline void setStringOutput(const char* val)
{
    faasmSetOutput(val, (long)std::strlen(val));
}

/* The input parsed as a decimal int; 0 if empty or not a number. */
inline int getIntInput()
{
    if (faasmGetInputSize() <= 0) {
        return 0;
    }
    const char* text = getStringInput("0");
    int value = (int)std::strtol(text, nullptr, 10);
    delete[] text;
    return value;
}

/* Parses up to expected space-separated ints from inStr into a new[] array
 * of expected ints, which the caller owns (delete[]). Missing ints, and
 * words that are not numbers, give 0. */
inline int* parseStringToIntArray(const char* inStr, int expected)
{
    int* result = new int[expected > 0 ? expected : 1]();
    const char* p = inStr;
    for (int i = 0; i < expected; i++) {
        while (*p == ' ') {
            p++;
        }
        if (*p == 0) {
            break;
        }
        char* end = nullptr;
        result[i] = (int)std::strtol(p, &end, 10);
        /* Skip the rest of the word (all of it if it is not a number). */
        while (*end != 0 && *end != ' ') {
            end++;
        }
        p = end;
    }
    return result;
}

} // namespace faasm

#endif
