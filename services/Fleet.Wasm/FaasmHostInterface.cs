namespace Fleet.Wasm;

/// <summary>
/// The host interface Faasm's libfaasm (faasm/cpp, <c>faasm/host_interface.h</c>) imports from module <c>env</c>, with
/// upstream's signatures: on wasm32 every pointer, <c>int</c>, <c>long</c> and <c>bool</c> is an i32, so a signature is
/// its parameter count and whether it returns an i32. The registry refuses a module importing anything else from
/// <c>env</c>; the executor defines every one of them.
/// </summary>
public static class FaasmHostInterface
{
    public const string Module = "env";

    public static IReadOnlyDictionary<string, HostImport> Imports { get; } = new HostImport[]
    {
        // State
        new("__faasm_read_state", 3, true),
        new("__faasm_read_state_ptr", 2, true),
        new("__faasm_write_state", 3, false),
        new("__faasm_append_state", 3, false),
        new("__faasm_read_appended_state", 4, false),
        new("__faasm_clear_appended_state", 1, false),
        new("__faasm_write_state_offset", 5, false),
        new("__faasm_write_state_from_file", 2, true),
        new("__faasm_read_state_offset", 5, false),
        new("__faasm_flag_state_dirty", 2, false),
        new("__faasm_flag_state_offset_dirty", 4, false),
        new("__faasm_read_state_offset_ptr", 4, true),
        new("__faasm_push_state", 1, false),
        new("__faasm_push_state_partial", 1, false),
        new("__faasm_push_state_partial_mask", 2, false),
        new("__faasm_pull_state", 2, false),
        new("__faasm_lock_state_read", 1, false),
        new("__faasm_unlock_state_read", 1, false),
        new("__faasm_lock_state_write", 1, false),
        new("__faasm_unlock_state_write", 1, false),

        // Input, output, chained calls, Python's names, flags
        new("__faasm_read_input", 2, true),
        new("__faasm_write_output", 2, false),
        new("__faasm_chain_name", 3, true),
        new("__faasm_chain_ptr", 3, true),
        new("__faasm_chain_py", 3, true),
        new("__faasm_await_call", 1, true),
        new("__faasm_await_call_output", 3, true),
        new("__faasm_get_py_user", 2, false),
        new("__faasm_get_py_func", 2, false),
        new("__faasm_get_py_entry", 2, false),
        new("__faasm_conf_flag", 1, true),
        new("__faasm_backtrace", 1, false),

        // Shared memory for OpenMP threads, migration, tests: one thread on one host here
        new("__faasm_sm_array", 3, false),
        new("__faasm_sm_raw", 2, false),
        new("__faasm_sm_reduce", 4, false),
        new("__faasm_sm_var", 2, false),
        new("__faasm_sm_critical_local", 0, false),
        new("__faasm_sm_critical_local_end", 0, false),
        new("__faasm_migrate_point", 2, false),
        new("__faasm_host_interface_test", 1, false),

        // S3: linked so that modules load, refused when called
        new("__faasm_s3_get_num_buckets", 0, true),
        new("__faasm_s3_list_buckets", 2, false),
        new("__faasm_s3_get_num_keys", 1, true),
        new("__faasm_s3_get_num_keys_with_prefix", 2, true),
        new("__faasm_s3_list_keys", 3, false),
        new("__faasm_s3_list_keys_with_prefix", 4, false),
        new("__faasm_s3_add_key_bytes", 5, true),
        new("__faasm_s3_get_key_bytes", 5, true),
    }.ToDictionary(import => import.Name, StringComparer.Ordinal);
}

/// <summary>One function of the host interface: <paramref name="Parameters"/> i32s in, an i32 out when <paramref name="ReturnsInt"/>.</summary>
public sealed record HostImport(string Name, int Parameters, bool ReturnsInt);
