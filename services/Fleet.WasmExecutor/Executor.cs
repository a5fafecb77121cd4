using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Fleet.Wasm;
using Wasmtime;

namespace Fleet.WasmExecutor;

/// <summary>
/// Fleet's WebAssembly executor (protocol v2, convention faasm-wasm; see docs/executor-protocol.md): one process per
/// instance, in the sandbox like every executor. The init frame loads the package's compiled module (compiled once by
/// the registry; compiled here only when this Wasmtime cannot load that code); every call runs in a new instance of
/// it, so no call sees another's memory, as upstream restores a snapshot before each; shared files are readable
/// through WASI and stdio captured (<see cref="WasiFiles"/>). A call runs <c>_start</c> (the
/// program's main: its exit status is the return code) or, for an entry, that export or table entry (its int
/// return). A trap or a failed host call is return code 1 with its message as the output, unless the module set one.
/// </summary>
internal sealed class Executor : IDisposable
{
    public const string Convention = "faasm-wasm";

    private const int MaxErrorChars = 2000;

    private readonly Frames _frames;
    private readonly Engine _engine = WasmEngine.Create();
    private readonly Linker _linker;
    private readonly WasiFiles _files;
    private FaasmCall? _call;
    private int _maxResultBytes = 6 << 20;

    public Executor(Frames frames)
    {
        _frames = frames;
        _linker = new Linker(_engine);
        _linker.DefineWasi();
        var worker = new WorkerChannel(frames);
        new FaasmHost(worker, () => _call ?? throw new InvalidOperationException("no call is running")).DefineIn(_linker);
        _files = new WasiFiles(worker);
        _files.DefineIn(_linker);
    }

    public void Dispose()
    {
        _linker.Dispose();
        _engine.Dispose();
    }

    public int Run()
    {
        WarmUp();
        if (_frames.Receive() is not { } init)
        {
            return 0;
        }

        var id = init.GetProperty("id").GetInt32();
        Module module;
        try
        {
            if (init.TryGetProperty("maxResultBytes", out var limit))
            {
                _maxResultBytes = limit.GetInt32();
            }

            var convention = init.TryGetProperty("convention", out var given) ? given.GetString() : null;
            if (convention != Convention)
            {
                throw new InvalidOperationException($"convention {convention} is not supported by the WebAssembly executor");
            }

            module = Load(init.GetProperty("codeDir").GetString()!);
        }
        catch (Exception error) when (error is InvalidOperationException or WasmtimeException or IOException or KeyNotFoundException)
        {
            _frames.Send(writer => Reply(writer, id, ok: false, error: Describe(error)));
            return 0;
        }

        _frames.Send(writer => Reply(writer, id, ok: true));
        while (_frames.Receive() is { } request)
        {
            var reply = Call(module, request);
            _frames.Send(reply);
        }

        return 0;
    }

    /// <summary>The registry's compiled code when this Wasmtime takes it, else the module compiled here.</summary>
    private Module Load(string codeDirectory)
    {
        var compiled = Path.Combine(codeDirectory, WasmModules.CompiledFile);
        if (File.Exists(compiled))
        {
            try
            {
                return Module.DeserializeFile(_engine, "function", compiled);
            }
            catch (WasmtimeException)
            {
                // Compiled by another Wasmtime or for another processor: compile it again below.
            }
        }

        var source = Path.Combine(codeDirectory, WasmModules.ModuleFile);
        return File.Exists(source)
            ? Module.FromBytes(_engine, "function", WasmModules.Prepare(File.ReadAllBytes(source)))
            : throw new InvalidOperationException($"the package has no {WasmModules.ModuleFile}");
    }

    private Action<Utf8JsonWriter> Call(Module module, JsonElement request)
    {
        var id = request.GetProperty("id").GetInt32();
        var capture = request.TryGetProperty("capture", out var wanted) && wanted.GetBoolean();
        var entry = request.TryGetProperty("entry", out var named) && named.ValueKind == JsonValueKind.String ? named.GetString() : null;
        var started = Stopwatch.GetTimestamp();
        var batch = request.TryGetProperty("items", out var items);
        var outcomes = new List<Outcome>();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var budget = _maxResultBytes;
        foreach (var item in batch ? items.EnumerateArray() : Enumerable.Repeat(request, 1))
        {
            var input = item.TryGetProperty("input", out var data) ? data.GetBytesFromBase64() : [];
            var outcome = Run(module, input, entry, budget);
            budget -= outcome.Output?.Length ?? 0;
            outcomes.Add(outcome);
            stdout.Append(outcome.Stdout);
            stderr.Append(outcome.Stderr);
        }

        var duration = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return writer =>
        {
            writer.WriteString("op", "reply");
            writer.WriteNumber("id", id);
            if (batch)
            {
                writer.WriteBoolean("ok", true);
                writer.WriteStartArray("items");
                foreach (var outcome in outcomes)
                {
                    writer.WriteStartObject();
                    outcome.WriteTo(writer);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteNumber("duration", duration);
            }
            else
            {
                outcomes[0].WriteTo(writer);
            }

            if (capture)
            {
                writer.WriteString("stdout", Bounded(stdout.ToString()));
                writer.WriteString("stderr", Bounded(stderr.ToString()));
            }
        };
    }

    /// <summary>One run of the module in a new instance.</summary>
    private Outcome Run(Module module, byte[] input, string? entry, int budget)
    {
        var started = Stopwatch.GetTimestamp();
        var call = new FaasmCall(input, _maxResultBytes);
        _call = call;
        _files.Begin(call);
        int code;
        string? error = null;
        using (var store = new Store(_engine))
        {
            store.SetWasiConfiguration(new WasiConfiguration().WithArg("function"));
            try
            {
                var instance = _linker.Instantiate(store, module);

                // A module linked with __wasm_call_ctors exported (upstream's builds and fleet-wasm-cc's) leaves its
                // constructors to its runtime, as Faasm runs them; wasi-libc's own (its preopens) and C++'s static
                // objects are among them.
                instance.GetAction("__wasm_call_ctors")?.Invoke();
                code = entry is null ? Start(instance) : Enter(instance, entry);
                Flush(instance);
            }
            catch (WasmtimeException exit) when (exit.ExitCode is { } status)
            {
                code = status;
            }
            catch (Exception failed) when (failed is WasmtimeException or HostCallException or InvalidOperationException)
            {
                (code, error) = (1, Describe(failed));
            }
        }

        _call = null;
        var output = call.Output ?? (error is null ? [] : Encoding.UTF8.GetBytes(error));
        var duration = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return output.Length > budget
            ? new Outcome(false, null, 1, $"the output of {output.Length} bytes is over the result limit of {_maxResultBytes} bytes", duration, call)
            : new Outcome(true, output, code, null, duration, call);
    }

    /// <summary>
    /// What stdio still buffers, written out: a module built with its constructors exported (as Faasm's are, and
    /// fleet-wasm-cc's) returns from main without its destructors, which would flush it; fleet-wasm-cc exports fflush.
    /// </summary>
    private static void Flush(Instance instance) => instance.GetFunction("fflush")?.Invoke(0);

    /// <summary>main, through <c>_start</c>.</summary>
    private static int Start(Instance instance)
    {
        var start = instance.GetAction("_start") ?? throw new InvalidOperationException("the module has no _start function");
        start();
        return 0;
    }

    /// <summary>A chained call's entry: a table entry by index (a function pointer) or an exported function.</summary>
    private static int Enter(Instance instance, string entry)
    {
        Function? function;
        if (entry.StartsWith(FaasmHost.TableEntryPrefix, StringComparison.Ordinal)
            && uint.TryParse(entry.AsSpan(FaasmHost.TableEntryPrefix.Length), out var index))
        {
            var table = instance.GetTable(WasmBinary.TableExport) ?? throw new InvalidOperationException("the module exports no function table");
            function = index < table.GetSize() ? table.GetElement(index) as Function : null;
        }
        else
        {
            function = instance.GetFunction(entry);
        }

        if (function is null || function.IsNull || function.Parameters.Count != 0 || function.Results.Count > 1)
        {
            throw new InvalidOperationException($"entry {entry} is not a function of the module taking no arguments");
        }

        return function.Invoke() is int code ? code : 0;
    }

    /// <summary>
    /// Runs a module of its own through every step of a call once (loading compiled code from a file, a call frame
    /// parsed, host calls, WASI output, the flush, the reply written), so that a spare's first real call finds that
    /// code already compiled by .NET: it costs a fresh process some 10 ms otherwise.
    /// </summary>
    private void WarmUp()
    {
        const string warm = """
            (module
              (import "env" "__faasm_read_input" (func $read (param i32 i32) (result i32)))
              (import "env" "__faasm_write_output" (func $write (param i32 i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 64) "warm\n")
              (func (export "fflush") (param i32) (result i32) (i32.const 0))
              (func (export "_start")
                (drop (call $read (i32.const 0) (i32.const 4)))
                (call $write (i32.const 0) (i32.const 4))
                (i32.store (i32.const 16) (i32.const 64))
                (i32.store (i32.const 20) (i32.const 5))
                (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))))
            """;
        var file = Path.Combine(Path.GetTempPath(), $"fleet-warm-up-{Environment.ProcessId}.cwasm");
        using (var compiled = Module.FromText(_engine, "warm-up", warm))
        {
            File.WriteAllBytes(file, compiled.Serialize());
        }

        using var module = Module.DeserializeFile(_engine, "warm-up", file);
        File.Delete(file);
        var request = Frames.Parse(Encoding.UTF8.GetBytes("""{"op":"call","id":0,"capture":true,"input":"d2FybQ=="}"""));
        new Frames(Stream.Null, Stream.Null).Send(Call(module, request));
    }

    private static void Reply(Utf8JsonWriter writer, int id, bool ok, string? error = null)
    {
        writer.WriteString("op", "reply");
        writer.WriteNumber("id", id);
        writer.WriteBoolean("ok", ok);
        if (error is not null)
        {
            writer.WriteString("error", error);
        }
    }

    private string Bounded(string text) => Encoding.UTF8.GetByteCount(text) <= _maxResultBytes ? text : text[..Math.Min(text.Length, _maxResultBytes / 4)];

    /// <summary>
    /// A failure in a line: a host call's own message, or a trap's cause (Wasmtime puts its backtrace first and the
    /// cause after "Caused by:").
    /// </summary>
    private static string Describe(Exception error)
    {
        var host = error as HostCallException ?? error.InnerException as HostCallException;
        var message = (host ?? error).Message;
        var cause = message.LastIndexOf("Caused by:", StringComparison.Ordinal);
        var text = (cause >= 0 ? message[(cause + "Caused by:".Length)..] : message)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return text.Length <= MaxErrorChars ? text : text[..MaxErrorChars];
    }

    private sealed record Outcome(bool Ok, byte[]? Output, int ReturnCode, string? Error, double Duration, FaasmCall Call)
    {
        public string Stdout => Call.Stdout.Text();

        public string Stderr => Call.Stderr.Text();

        public void WriteTo(Utf8JsonWriter writer)
        {
            writer.WriteBoolean("ok", Ok);
            if (Output is not null)
            {
                writer.WriteBase64String("output", Output);
            }

            writer.WriteNumber("returnCode", ReturnCode);
            if (Error is not null)
            {
                writer.WriteString("error", Error);
            }

            writer.WriteNumber("duration", Duration);
        }
    }
}
