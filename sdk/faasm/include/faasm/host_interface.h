/*
 * Fleet Faasm SDK: the host calls a Faasm-style function may import.
 *
 * Every call lives in wasm module "env" under its Faasm name. On wasm32 all
 * pointers, longs and ints are i32; imports.txt (next to include/) lists the
 * exact wasm signatures the Fleet runtime provides.
 *
 * The import attributes make each declaration a named wasm import, so a
 * module links without --allow-undefined. Off wasm the declarations stay
 * plain (and weak), so a native build compiles; it needs stubs to run.
 */
#ifndef FLEET_FAASM_HOST_INTERFACE_H
#define FLEET_FAASM_HOST_INTERFACE_H

#ifdef __wasm__
#define FAASM_HOST_CALL(name) \
    __attribute__((import_module("env"), import_name(name)))
#else
#define FAASM_HOST_CALL(name) __attribute__((weak))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Input and output ---- */

/* Copies up to bufferLen input bytes; bufferLen 0 returns the input size. */
FAASM_HOST_CALL("__faasm_read_input")
long __faasm_read_input(unsigned char* buffer, long bufferLen);

FAASM_HOST_CALL("__faasm_write_output")
void __faasm_write_output(const char* output, long outputLen);

/* ---- State ---- */

/* Copies up to bufferLen bytes of the value; bufferLen 0 returns its size. */
FAASM_HOST_CALL("__faasm_read_state")
long __faasm_read_state(const char* key, unsigned char* buffer, long bufferLen);

FAASM_HOST_CALL("__faasm_read_state_ptr")
unsigned char* __faasm_read_state_ptr(const char* key, long totalLen);

FAASM_HOST_CALL("__faasm_read_state_offset_ptr")
unsigned char* __faasm_read_state_offset_ptr(const char* key,
                                             long totalLen,
                                             long offset,
                                             long len);

FAASM_HOST_CALL("__faasm_write_state_from_file")
unsigned int __faasm_write_state_from_file(const char* key, const char* filePath);

FAASM_HOST_CALL("__faasm_push_state_partial_mask")
void __faasm_push_state_partial_mask(const char* key, const char* maskKey);

FAASM_HOST_CALL("__faasm_read_state_offset")
void __faasm_read_state_offset(const char* key,
                               long totalLen,
                               long offset,
                               unsigned char* buffer,
                               long bufferLen);

FAASM_HOST_CALL("__faasm_write_state")
void __faasm_write_state(const char* key,
                         const unsigned char* data,
                         long dataLen);

FAASM_HOST_CALL("__faasm_write_state_offset")
void __faasm_write_state_offset(const char* key,
                                long totalLen,
                                long offset,
                                const unsigned char* data,
                                long dataLen);

FAASM_HOST_CALL("__faasm_append_state")
void __faasm_append_state(const char* key,
                          const unsigned char* data,
                          long dataLen);

FAASM_HOST_CALL("__faasm_read_appended_state")
void __faasm_read_appended_state(const char* key,
                                 unsigned char* data,
                                 long dataLen,
                                 long nElems);

FAASM_HOST_CALL("__faasm_clear_appended_state")
void __faasm_clear_appended_state(const char* key);

FAASM_HOST_CALL("__faasm_push_state")
void __faasm_push_state(const char* key);

FAASM_HOST_CALL("__faasm_push_state_partial")
void __faasm_push_state_partial(const char* key);

FAASM_HOST_CALL("__faasm_pull_state")
void __faasm_pull_state(const char* key, long stateLen);

FAASM_HOST_CALL("__faasm_lock_state_read")
void __faasm_lock_state_read(const char* key);

FAASM_HOST_CALL("__faasm_unlock_state_read")
void __faasm_unlock_state_read(const char* key);

FAASM_HOST_CALL("__faasm_lock_state_write")
void __faasm_lock_state_write(const char* key);

FAASM_HOST_CALL("__faasm_unlock_state_write")
void __faasm_unlock_state_write(const char* key);

FAASM_HOST_CALL("__faasm_flag_state_dirty")
void __faasm_flag_state_dirty(const char* key, long totalLen);

FAASM_HOST_CALL("__faasm_flag_state_offset_dirty")
void __faasm_flag_state_offset_dirty(const char* key,
                                     long totalLen,
                                     long offset,
                                     long dataLen);

/* ---- Chaining ---- */

/* Calls another function (by name) of the same user; returns the call id. */
FAASM_HOST_CALL("__faasm_chain_name")
unsigned int __faasm_chain_name(const char* name,
                                const unsigned char* inputData,
                                long inputDataSize);

/* Calls a function of this module (a table index on wasm); returns the id. */
FAASM_HOST_CALL("__faasm_chain_ptr")
unsigned int __faasm_chain_ptr(int (*funcPtr)(),
                               const unsigned char* inputData,
                               long inputDataSize);

/* Waits for a chained call; returns its return code. */
FAASM_HOST_CALL("__faasm_await_call")
int __faasm_await_call(unsigned int messageId);

/* Waits for a chained call; the host sets *output (in this module's memory)
 * and *outputLen to that call's output. Returns its return code. */
FAASM_HOST_CALL("__faasm_await_call_output")
int __faasm_await_call_output(unsigned int messageId,
                              char** output,
                              int* outputLen);

/* ---- Python entry and configuration ---- */

FAASM_HOST_CALL("__faasm_get_py_user")
void __faasm_get_py_user(unsigned char* buffer, long bufferLen);

FAASM_HOST_CALL("__faasm_get_py_func")
void __faasm_get_py_func(unsigned char* buffer, long bufferLen);

FAASM_HOST_CALL("__faasm_get_py_entry")
void __faasm_get_py_entry(unsigned char* buffer, long bufferLen);

/* Returns 1 if the named configuration flag is on, else 0. */
FAASM_HOST_CALL("__faasm_conf_flag")
unsigned int __faasm_conf_flag(const char* key);

#ifdef __cplusplus
}
#endif

#endif
