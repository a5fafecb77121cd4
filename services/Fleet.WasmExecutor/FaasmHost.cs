using System.Globalization;
using System.Text;
using System.Text.Json;
using Fleet.Wasm;
using Wasmtime;

namespace Fleet.WasmExecutor;

/// <summary>
/// Faasm's host interface (<see cref="FaasmHostInterface"/>) over the worker's host calls: input and output in the
/// call, state through <c>state.*</c> in the function's namespace, chained calls through <c>invoke</c> (by function
/// pointer: the same module at the table entry; by name: another function of the user), shared files through
/// <c>file.read</c>. State is write-through: push, pull and the locks have nothing to do, except for values mapped into
/// memory by pointer, which a push writes back and a pull reads again.
/// </summary>
internal sealed class FaasmHost
{
    /// <summary>The entry a chained call by function pointer runs: the module's table entry of that index.</summary>
    public const string TableEntryPrefix = "__table_";

    private const int MaxKeyBytes = 1024;

    private delegate int Implementation(Caller caller, ReadOnlySpan<ValueBox> arguments);

    private readonly WorkerChannel _worker;
    private readonly Func<FaasmCall> _call;
    private readonly Dictionary<string, Implementation> _implementations;

    public FaasmHost(WorkerChannel worker, Func<FaasmCall> call)
    {
        _worker = worker;
        _call = call;
        _implementations = new(StringComparer.Ordinal)
        {
            ["__faasm_read_input"] = ReadInput,
            ["__faasm_write_output"] = (caller, a) =>
            {
                _call().Output = Bytes(caller, a[0], a[1]).ToArray();
                return 0;
            },
            ["__faasm_read_state"] = ReadState,
            ["__faasm_read_state_ptr"] = (caller, a) => MapState(caller, Key(caller, a[0]), Length(a[1]), 0),
            ["__faasm_read_state_offset_ptr"] = (caller, a) => MapState(caller, Key(caller, a[0]), Length(a[1]), Length(a[2])),
            ["__faasm_read_state_offset"] = ReadStateOffset,
            ["__faasm_write_state"] = (caller, a) =>
            {
                _worker.Write(Key(caller, a[0]), Bytes(caller, a[1], a[2]), null);
                return 0;
            },
            ["__faasm_write_state_offset"] = WriteStateOffset,
            ["__faasm_append_state"] = (caller, a) =>
            {
                Append(Key(caller, a[0]), Bytes(caller, a[1], a[2]));
                return 0;
            },
            ["__faasm_read_appended_state"] = (caller, a) =>
            {
                Fill(caller, a[1], a[2], Key(caller, a[0]), 0);
                return 0;
            },
            ["__faasm_clear_appended_state"] = (caller, a) =>
            {
                Delete(Key(caller, a[0]));
                return 0;
            },
            ["__faasm_write_state_from_file"] = WriteStateFromFile,
            ["__faasm_push_state"] = (caller, a) =>
            {
                WriteBack(caller, Key(caller, a[0]));
                return 0;
            },
            ["__faasm_push_state_partial"] = (caller, a) =>
            {
                WriteBack(caller, Key(caller, a[0]));
                return 0;
            },
            ["__faasm_push_state_partial_mask"] = (caller, a) =>
            {
                WriteBack(caller, Key(caller, a[0]));
                return 0;
            },
            ["__faasm_flag_state_dirty"] = (caller, a) =>
            {
                WriteBack(caller, Key(caller, a[0]));
                return 0;
            },
            ["__faasm_flag_state_offset_dirty"] = (caller, a) =>
            {
                WriteBack(caller, Key(caller, a[0]));
                return 0;
            },
            ["__faasm_pull_state"] = (caller, a) =>
            {
                ReadAgain(caller, Key(caller, a[0]));
                return 0;
            },
            ["__faasm_lock_state_read"] = Nothing,
            ["__faasm_unlock_state_read"] = Nothing,
            ["__faasm_lock_state_write"] = Nothing,
            ["__faasm_unlock_state_write"] = Nothing,
            ["__faasm_chain_name"] = (caller, a) => Chain(caller, Text(caller, a[0], "function name"), entry: null, a[1], a[2]),
            ["__faasm_chain_ptr"] = (caller, a) => Chain(caller, function: null, TableEntryPrefix + a[0].AsInt32().ToString(CultureInfo.InvariantCulture), a[1], a[2]),
            ["__faasm_chain_py"] = (caller, a) => throw new HostCallException("__faasm_chain_py: Python functions chain with pyfaasm.core's chain"),
            ["__faasm_await_call"] = (caller, a) => Chained(a[0]).ReturnCode,
            ["__faasm_await_call_output"] = AwaitCallOutput,
            ["__faasm_get_py_user"] = EmptyText,
            ["__faasm_get_py_func"] = EmptyText,
            ["__faasm_get_py_entry"] = EmptyText,
            ["__faasm_conf_flag"] = (caller, a) => Text(caller, a[0], "flag") == "ALWAYS_ON" ? 1 : 0,
            ["__faasm_backtrace"] = Nothing,
            ["__faasm_sm_array"] = Nothing,
            ["__faasm_sm_raw"] = Nothing,
            ["__faasm_sm_reduce"] = Nothing,
            ["__faasm_sm_var"] = Nothing,
            ["__faasm_sm_critical_local"] = Nothing,
            ["__faasm_sm_critical_local_end"] = Nothing,
            ["__faasm_migrate_point"] = Nothing,
            ["__faasm_host_interface_test"] = (caller, a) => throw new HostCallException("__faasm_host_interface_test is Faasm's own test hook"),
        };
        foreach (var s3 in FaasmHostInterface.Imports.Keys.Where(name => name.StartsWith("__faasm_s3_", StringComparison.Ordinal)))
        {
            _implementations[s3] = (caller, a) => throw new HostCallException($"{s3}: S3 is not available on Fleet; keep data in state or shared files");
        }
    }

    /// <summary>The host interface's names that have no implementation here (none, once this class is complete).</summary>
    public IEnumerable<string> Missing => FaasmHostInterface.Imports.Keys.Where(name => !_implementations.ContainsKey(name));

    public void DefineIn(Linker linker)
    {
        foreach (var import in FaasmHostInterface.Imports.Values)
        {
            var implementation = _implementations[import.Name];
            var parameters = Enumerable.Repeat(ValueKind.Int32, import.Parameters).ToArray();
            ValueKind[] results = import.ReturnsInt ? [ValueKind.Int32] : [];
            linker.DefineFunction(FaasmHostInterface.Module, import.Name, (Caller caller, ReadOnlySpan<ValueBox> arguments, Span<ValueBox> values) =>
            {
                var result = implementation(caller, arguments);
                if (values.Length > 0)
                {
                    values[0] = result;
                }
            }, parameters, results);
        }
    }

    private int ReadInput(Caller caller, ReadOnlySpan<ValueBox> a)
    {
        var input = _call().Input;
        var length = Length(a[1]);
        if (input.Length == 0 || length == 0)
        {
            return input.Length;
        }

        var copied = Math.Min(length, input.Length);
        input.AsSpan(0, copied).CopyTo(Bytes(caller, a[0], copied));
        return copied;
    }

    /// <summary>A zero-length buffer asks for the value's size (0 when absent).</summary>
    private int ReadState(Caller caller, ReadOnlySpan<ValueBox> a)
    {
        var key = Key(caller, a[0]);
        var length = Length(a[2]);
        if (length == 0)
        {
            return (int)Math.Min(int.MaxValue, _worker.Size(key) ?? 0);
        }

        FillAt(caller, a[1].AsInt32(), length, key, 0);
        return length;
    }

    private int ReadStateOffset(Caller caller, ReadOnlySpan<ValueBox> a)
    {
        var key = Key(caller, a[0]);
        var (total, offset, length) = (Length(a[1]), Length(a[2]), Length(a[4]));
        CheckSegment(total, offset, length);
        FillAt(caller, a[3].AsInt32(), length, key, offset);
        return 0;
    }

    /// <summary>Writes the segment; a shorter value is extended to the total length with zeros, as upstream sizes it.</summary>
    private int WriteStateOffset(Caller caller, ReadOnlySpan<ValueBox> a)
    {
        var key = Key(caller, a[0]);
        var (total, offset) = (Length(a[1]), Length(a[2]));
        var data = Bytes(caller, a[3], a[4]);
        CheckSegment(total, offset, data.Length);
        if (_worker.Write(key, data, offset) < total)
        {
            _worker.Write(key, [0], total - 1);
        }

        return 0;
    }

    private int WriteStateFromFile(Caller caller, ReadOnlySpan<ValueBox> a)
    {
        var key = Key(caller, a[0]);
        var path = SharedFiles.PathOf(Text(caller, a[1], "file path"));
        var file = _worker.ReadFile(path) ?? throw new HostCallException($"__faasm_write_state_from_file: no shared file {path}");
        _worker.Write(key, file, null);
        return file.Length;
    }

    private void Append(string key, ReadOnlySpan<byte> data)
    {
        var value = data.ToArray();
        _worker.Call("state.append", writer =>
        {
            writer.WriteString("key", key);
            writer.WriteBase64String("value", value);
        });
    }

    private void Delete(string key) => _worker.Call("state.delete", writer => writer.WriteString("key", key));

    /// <summary>The value in the module's memory (allocated with its malloc once per key and call); a pointer to <paramref name="offset"/> in it.</summary>
    private int MapState(Caller caller, string key, int length, int offset)
    {
        CheckSegment(length, offset, 0);
        var call = _call();
        if (!call.Mapped.TryGetValue(key, out var mapped) || mapped.Length < length)
        {
            mapped = (Allocate(caller, length), length);
            call.Mapped[key] = mapped;
        }

        FillAt(caller, mapped.Pointer, mapped.Length, key, 0);
        return mapped.Pointer + offset;
    }

    private void WriteBack(Caller caller, string key)
    {
        if (_call().Mapped.TryGetValue(key, out var mapped))
        {
            _worker.Write(key, Bytes(caller, mapped.Pointer, mapped.Length), null);
        }
    }

    private void ReadAgain(Caller caller, string key)
    {
        if (_call().Mapped.TryGetValue(key, out var mapped))
        {
            FillAt(caller, mapped.Pointer, mapped.Length, key, 0);
        }
    }

    private int Chain(Caller caller, string? function, string? entry, ValueBox inputPointer, ValueBox inputLength)
    {
        var input = Bytes(caller, inputPointer, inputLength).ToArray();
        var outcome = _worker.Call("invoke", writer =>
        {
            if (function is not null)
            {
                writer.WriteString("function", function);
            }

            if (entry is not null)
            {
                writer.WriteString("entry", entry);
            }

            writer.WriteBase64String("input", input);
        });
        var code = outcome.TryGetProperty("returnCode", out var returnCode) && returnCode.ValueKind == JsonValueKind.Number ? returnCode.GetInt32() : 1;
        var succeeded = outcome.TryGetProperty("status", out var status) && status.GetString() == "succeeded";
        var output = outcome.TryGetProperty("output", out var text) && text.ValueKind == JsonValueKind.String
            ? outcome.TryGetProperty("outputEncoding", out var encoding) && encoding.GetString() == "base64"
                ? text.GetBytesFromBase64()
                : Encoding.UTF8.GetBytes(text.GetString()!)
            : outcome.TryGetProperty("error", out var error) ? Encoding.UTF8.GetBytes(error.GetString() ?? "") : [];
        var chained = _call().Chained;
        var id = chained.Count + 1;
        chained[id] = (succeeded || code != 0 ? code : 1, output);
        return id;
    }

    private (int ReturnCode, byte[] Output) Chained(ValueBox id) =>
        _call().Chained.TryGetValue(id.AsInt32(), out var chained)
            ? chained
            : throw new HostCallException($"await_call: no chained call {id.AsInt32()} in this call");

    /// <summary>The output is copied into memory the module's malloc gives; the module frees it.</summary>
    private int AwaitCallOutput(Caller caller, ReadOnlySpan<ValueBox> a)
    {
        var (code, output) = Chained(a[0]);
        var pointer = Allocate(caller, Math.Max(1, output.Length));
        output.CopyTo(Bytes(caller, pointer, output.Length));
        WriteInt(caller, a[1], pointer);
        WriteInt(caller, a[2], output.Length);
        return code;
    }

    /// <summary>Fleet's Faasm messages name no Python function to a WebAssembly one: the empty string.</summary>
    private static int EmptyText(Caller caller, ReadOnlySpan<ValueBox> a)
    {
        if (Length(a[1]) > 0)
        {
            Bytes(caller, a[0], 1)[0] = 0;
        }

        return 0;
    }

    private static int Nothing(Caller caller, ReadOnlySpan<ValueBox> a) => 0;

    private void Fill(Caller caller, ValueBox pointer, ValueBox length, string key, int offset) =>
        FillAt(caller, pointer.AsInt32(), Length(length), key, offset);

    private void FillAt(Caller caller, int pointer, int length, string key, long offset) =>
        _worker.ReadRange("state.read", key, offset, length).CopyTo(Bytes(caller, pointer, length));

    private static int Allocate(Caller caller, int length)
    {
        var malloc = caller.GetFunction("malloc")
            ?? throw new HostCallException("the module does not export malloc, which this host call needs (link with -Wl,--export=malloc)");
        var pointer = malloc.Invoke(length) is int address ? address : 0;
        return pointer != 0 ? pointer : throw new HostCallException($"malloc({length}) failed in the module");
    }

    private static void WriteInt(Caller caller, ValueBox pointer, int value) =>
        BitConverter.TryWriteBytes(Bytes(caller, pointer, 4), value);

    private static void CheckSegment(int total, int offset, int length)
    {
        if ((long)offset + length > total)
        {
            throw new HostCallException($"state segment at {offset} of {length} bytes is outside the value's {total} bytes");
        }
    }

    private static int Length(ValueBox value)
    {
        var length = value.AsInt32();
        return length >= 0 ? length : throw new HostCallException($"a length of {length}");
    }

    private static Span<byte> Bytes(Caller caller, ValueBox pointer, ValueBox length) => Bytes(caller, pointer.AsInt32(), Length(length));

    private static Span<byte> Bytes(Caller caller, int pointer, int length) => ModuleMemory.Span(caller, pointer, length);

    /// <summary>A NUL-terminated string in the module's memory, of at most <see cref="MaxKeyBytes"/> bytes.</summary>
    private static string Text(Caller caller, ValueBox pointer, string what)
    {
        var memory = caller.GetMemory("memory") ?? throw new HostCallException("the module exports no memory");
        var start = (long)(uint)pointer.AsInt32();
        var available = (int)Math.Min(MaxKeyBytes + 1, Math.Max(0, memory.GetLength() - start));
        var bytes = memory.GetSpan(start, available);
        var end = bytes.IndexOf((byte)0);
        return end >= 0 ? Encoding.UTF8.GetString(bytes[..end]) : throw new HostCallException($"the {what} is not a string of at most {MaxKeyBytes} bytes");
    }

    private static string Key(Caller caller, ValueBox pointer) => Text(caller, pointer, "state key");
}
