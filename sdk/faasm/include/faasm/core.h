/*
 * Fleet Faasm SDK: the Faasm C API, header-only (every function is a
 * static inline wrapper around a host call), usable from C and C++.
 */
#ifndef FLEET_FAASM_CORE_H
#define FLEET_FAASM_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "faasm/host_interface.h"

#ifdef __cplusplus
#define BYTES(arr) reinterpret_cast<uint8_t*>(arr)
#define FAASM_NULL nullptr
#else
#define BYTES(arr) ((uint8_t*)(arr))
#define FAASM_NULL NULL
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* A function of this module that can be chained (see faasmChain). */
typedef int (*FaasmFuncPtr)();

/* ---- Input and output ---- */

/* The input's size in bytes, 0 if there is none. */
static inline long faasmGetInputSize(void)
{
    unsigned char unused[1];
    return __faasm_read_input(unused, 0);
}

/* Copies up to bufferLen bytes of the input into buffer (no NUL added). */
static inline void faasmGetInput(uint8_t* buffer, long bufferLen)
{
    __faasm_read_input(buffer, bufferLen);
}

/* Sets this call's output (the last call wins). */
static inline void faasmSetOutput(const char* newOutput, long outputLen)
{
    __faasm_write_output(newOutput, outputLen);
}

/* ---- State ---- */

/* The size of the value at key (0 if absent). */
static inline size_t faasmReadStateSize(const char* key)
{
    return (size_t)__faasm_read_state(key, FAASM_NULL, 0);
}

/* Reads the whole value at key into buffer; returns the value's size. */
static inline long faasmReadState(const char* key,
                                  unsigned char* buffer,
                                  long bufferLen)
{
    return __faasm_read_state(key, buffer, bufferLen);
}

/* Reads bufferLen bytes at offset of the value at key (totalLen long). */
/* The value mapped into this module's memory: writes to it reach the store at
   the next faasmPushState (or a flag-dirty call); faasmPullState reads it again. */
static inline uint8_t* faasmReadStatePtr(const char* key, long totalLen)
{
    return __faasm_read_state_ptr(key, totalLen);
}

static inline uint8_t* faasmReadStateOffsetPtr(const char* key,
                                               long totalLen,
                                               long offset,
                                               long len)
{
    return __faasm_read_state_offset_ptr(key, totalLen, offset, len);
}

/* A shared file (faasm://path) as the whole value of key; its size. */
static inline unsigned long faasmWriteStateFromFile(const char* key, const char* filePath)
{
    return (unsigned long)__faasm_write_state_from_file(key, filePath);
}

static inline void faasmPushStatePartialMask(const char* key, const char* maskKey)
{
    __faasm_push_state_partial_mask(key, maskKey);
}

static inline void faasmReadStateOffset(const char* key,
                                        long totalLen,
                                        long offset,
                                        uint8_t* buffer,
                                        long bufferLen)
{
    __faasm_read_state_offset(key, totalLen, offset, buffer, bufferLen);
}

/* Replaces the value at key. */
static inline void faasmWriteState(const char* key,
                                   const uint8_t* data,
                                   long dataLen)
{
    __faasm_write_state(key, data, dataLen);
}

/* Overwrites dataLen bytes at offset of the value at key (totalLen long). */
static inline void faasmWriteStateOffset(const char* key,
                                         long totalLen,
                                         long offset,
                                         const uint8_t* data,
                                         long dataLen)
{
    __faasm_write_state_offset(key, totalLen, offset, data, dataLen);
}

/* Appends one element to the append-only value at key. */
static inline void faasmAppendState(const char* key,
                                    const uint8_t* data,
                                    long dataLen)
{
    __faasm_append_state(key, data, dataLen);
}

/* Reads nElems appended elements (bufferLen bytes in all) at key. */
static inline void faasmReadAppendedState(const char* key,
                                          uint8_t* buffer,
                                          long bufferLen,
                                          long nElems)
{
    __faasm_read_appended_state(key, buffer, bufferLen, nElems);
}

/* Drops every appended element at key. */
static inline void faasmClearAppendedState(const char* key)
{
    __faasm_clear_appended_state(key);
}

/* Marks the whole value at key as changed. */
static inline void faasmFlagStateDirty(const char* key, long totalLen)
{
    __faasm_flag_state_dirty(key, totalLen);
}

/* Marks len bytes at offset of the value at key as changed. */
static inline void faasmFlagStateOffsetDirty(const char* key,
                                             long totalLen,
                                             long offset,
                                             long len)
{
    __faasm_flag_state_offset_dirty(key, totalLen, offset, len);
}

/* Pushes the local copy of the value at key to the store. */
static inline void faasmPushState(const char* key)
{
    __faasm_push_state(key);
}

/* Pushes only the changed parts of the value at key. */
static inline void faasmPushStatePartial(const char* key)
{
    __faasm_push_state_partial(key);
}

/* Pulls the value at key (stateLen long) from the store. */
static inline void faasmPullState(const char* key, long stateLen)
{
    __faasm_pull_state(key, stateLen);
}

static inline void faasmLockStateRead(const char* key)
{
    __faasm_lock_state_read(key);
}

static inline void faasmUnlockStateRead(const char* key)
{
    __faasm_unlock_state_read(key);
}

static inline void faasmLockStateWrite(const char* key)
{
    __faasm_lock_state_write(key);
}

static inline void faasmUnlockStateWrite(const char* key)
{
    __faasm_unlock_state_write(key);
}

/* ---- Chaining ---- */

/* Calls the named function of the same user; returns the call id. */
static inline unsigned int faasmChainNamed(const char* name,
                                           const uint8_t* inputData,
                                           long inputDataSize)
{
    return __faasm_chain_name(name, inputData, inputDataSize);
}

/* Calls a function of this module; returns the call id. */
static inline unsigned int faasmChain(FaasmFuncPtr funcPtr,
                                      const uint8_t* inputData,
                                      long inputDataSize)
{
    return __faasm_chain_ptr(funcPtr, inputData, inputDataSize);
}

/* Waits for a chained call; returns its return code (0 is success). */
static inline unsigned int faasmAwaitCall(unsigned int callId)
{
    return (unsigned int)__faasm_await_call(callId);
}

/* Waits for a chained call and gets its output: the host sets *output and
 * *outputLen. Returns the call's return code (0 is success). */
static inline unsigned int faasmAwaitCallOutput(unsigned int messageId,
                                                char** output,
                                                int* outputLen)
{
    return (unsigned int)__faasm_await_call_output(messageId, output, outputLen);
}

/* Chains funcPtr nFuncs times with the string as input and waits for all;
 * returns 0 if every call succeeded, else 1. */
static inline unsigned int faasmChainBatch(FaasmFuncPtr funcPtr,
                                           const char* inputData,
                                           int nFuncs)
{
    long len = 0;
    while (inputData[len] != 0) {
        len++;
    }
    unsigned int* ids = (unsigned int*)malloc(sizeof(unsigned int) *
                                              (size_t)(nFuncs > 0 ? nFuncs : 1));
    if (ids == FAASM_NULL) {
        return 1;
    }
    for (int i = 0; i < nFuncs; i++) {
        ids[i] = faasmChain(funcPtr, (const uint8_t*)inputData, len);
    }
    unsigned int failed = 0;
    for (int i = 0; i < nFuncs; i++) {
        if (faasmAwaitCall(ids[i]) != 0) {
            failed = 1;
        }
    }
    free(ids);
    return failed;
}

/* ---- Python entry and configuration ---- */

/* The three getters return a NUL-terminated copy the caller owns: release
 * it with delete[] in C++ (as upstream) and free() in C. */
static inline char* fleetFaasmAllocText(size_t len)
{
#ifdef __cplusplus
    return new char[len + 1]();
#else
    return (char*)calloc(len + 1, 1);
#endif
}

static inline char* faasmGetPythonUser(void)
{
    char* user = fleetFaasmAllocText(20);
    if (user != FAASM_NULL) {
        __faasm_get_py_user(BYTES(user), 20);
    }
    return user;
}

static inline char* faasmGetPythonFunc(void)
{
    char* func = fleetFaasmAllocText(20);
    if (func != FAASM_NULL) {
        __faasm_get_py_func(BYTES(func), 20);
    }
    return func;
}

static inline char* faasmGetPythonEntry(void)
{
    char* entry = fleetFaasmAllocText(30);
    if (entry != FAASM_NULL) {
        __faasm_get_py_entry(BYTES(entry), 30);
    }
    return entry;
}

/* 1 if the named configuration flag is on, else 0. */
static inline unsigned int getConfFlag(const char* key)
{
    return __faasm_conf_flag(key);
}

#ifdef __cplusplus
}
#endif

#endif
