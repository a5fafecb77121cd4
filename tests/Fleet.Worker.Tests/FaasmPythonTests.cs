using System.Text;
using Fleet.Contracts;
using Fleet.Storage;
using Fleet.Worker.HostCalls;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.HostCalls;
using Microsoft.Extensions.Logging.Abstractions;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>
/// The faasm-python convention in the real sandboxed Python executor: upstream's examples unchanged, pyfaasm.core's
/// current and older names, return codes, entries and state on a real store. Chained calls need the scheduler: see
/// Fleet.Facades.Tests' FaasmPythonChainTests.
/// </summary>
public sealed class FaasmPythonTests : IAsyncLifetime
{
    private const string Echo = """
        from pyfaasm.core import get_input_len, read_input, write_output

        def faasm_main():
            n = get_input_len()
            if n == 0:
                return 0
            write_output(read_input(n))
            return 0
        """;

    private const string Hello = """
        from pyfaasm.core import write_output

        def faasm_main():
            print("Hello Python!")
            write_output("Hello Faasm!")
        """;

    private const string Codes = """
        import sys
        from pyfaasm.core import read_input, write_output

        def faasm_main():
            mode = read_input().decode()
            if mode == "none":
                return None
            if mode == "seven":
                return 7
            if mode == "text":
                return "not a code"
            if mode == "raise":
                raise ValueError("boom")
            if mode == "write-then-raise":
                write_output(b"partial")
                raise RuntimeError("late")
            if mode == "exit3":
                exit(3)
            if mode == "exit":
                sys.exit()
            if mode == "exit-text":
                sys.exit("bye")
            return 0

        def shout(data):
            write_output(data.upper())
            return len(data)
        """;

    private const string Older = """
        from pyfaasm.core import get_input, set_output, get_output

        calls = 0

        def faasm_main():
            global calls
            calls += 1
            set_output(get_input() + b" #%d" % calls)
            return 0 if get_output().endswith(b"#%d" % calls) else 9
        """;

    private const string State = """
        import json
        from pyfaasm.core import (read_input, write_output, write_state, read_state, read_state_size, write_state_offset,
            read_state_offset, push_state, push_state_partial, pull_state, get_state, set_state_offset, get_state_size)

        def faasm_main():
            key = read_input().decode()
            write_state(key, b"hello")
            push_state(key)
            write_state_offset(key + ".seg", 8, 2, b"ab")
            set_state_offset(key + ".seg", 8, 5, "c")
            push_state_partial(key + ".seg")
            pull_state(key + ".seg", 8)
            try:
                write_state_offset(key + ".seg", 8, 7, b"xy")
                outside = "no error"
            except ValueError as error:
                outside = str(error)
            write_output(json.dumps({
                "size": read_state_size(key), "seg": list(read_state(key + ".seg", 8)), "segSize": get_state_size(key + ".seg"),
                "part": read_state_offset(key, 5, 1, 3).decode(), "padded": list(get_state(key, 7)),
                "absent": list(read_state(key + ".none", 3)), "absentSize": read_state_size(key + ".none"), "outside": outside}))
        """;

    private readonly TestPool _pool = new();
    private readonly StateStoreFile _file = new();
    private IFleetStore _store = null!;

    public async ValueTask InitializeAsync() => _store = await _file.MigratedAsync();

    public async ValueTask DisposeAsync()
    {
        await _pool.DisposeAsync();
        await _file.DisposeAsync();
    }

    [Fact]
    public async Task Upstreams_echo_writes_its_input_back_and_nothing_for_no_input()
    {
        var function = Deploy(Echo);

        var echoed = await InvokeAsync(function, "hello faasm"u8.ToArray());
        var empty = await InvokeAsync(function, []);

        Assert.Equal(("hello faasm", 0), (Text(echoed), echoed.ReturnCode));
        Assert.Equal(("", 0), (Text(empty), empty.ReturnCode));
        Assert.True(empty.IsWarmStart);
    }

    [Fact]
    public async Task Hello_returning_None_is_return_code_0_with_its_output_and_stdout()
    {
        var execution = await InvokeAsync(Deploy(Hello), [], returnOutput: true);

        Assert.Equal(("Hello Faasm!", 0, "Hello Python!\n"), (Text(execution), execution.ReturnCode, execution.Stdout));
    }

    [Theory]
    [InlineData("none", 0, "")]
    [InlineData("seven", 7, "")]
    [InlineData("text", 1, "")]
    [InlineData("raise", 1, "ValueError: boom")]
    [InlineData("write-then-raise", 1, "partial")]
    [InlineData("exit3", 3, "")]
    [InlineData("exit", 0, "")]
    [InlineData("exit-text", 1, "")]
    public async Task The_return_code_is_faasm_mains_value_or_exit_status_and_an_exception_is_1(string mode, int code, string output)
    {
        var function = Deploy(Codes);

        var execution = await InvokeAsync(function, Encoding.UTF8.GetBytes(mode));
        var next = await InvokeAsync(function, "seven"u8.ToArray());

        Assert.Equal((code, output), (execution.ReturnCode, Text(execution)));
        Assert.Equal((7, ""), (next.ReturnCode, Text(next)));
        Assert.True(next.IsWarmStart, "the instance did not survive the call");
    }

    [Fact]
    public async Task A_call_naming_an_entry_calls_it_with_the_input_bytes()
    {
        var function = Deploy(Codes);

        var execution = await InvokeAsync(function, "quiet"u8.ToArray(), entry: "shout");
        var missing = await InvokeAsync(function, "x"u8.ToArray(), entry: "no_such_entry");

        Assert.Equal(("QUIET", 5), (Text(execution), execution.ReturnCode));
        Assert.Equal((1, "AttributeError: module 'function' has no attribute 'no_such_entry'"), (missing.ReturnCode, Text(missing)));
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("os.system")]
    [InlineData("")]
    public async Task An_entry_that_is_not_a_name_fails_the_call_with_the_reason(string entry)
    {
        var execution = await InvokeAsync(Deploy(Codes), [], entry: entry);

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.StartsWith("entry ", execution.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_older_names_work_and_module_globals_persist_across_warm_calls()
    {
        var function = Deploy(Older);

        var first = await InvokeAsync(function, "call"u8.ToArray());
        var second = await InvokeAsync(function, "call"u8.ToArray());

        Assert.Equal([("call #1", 0), ("call #2", 0)], [(Text(first), first.ReturnCode), (Text(second), second.ReturnCode)]);
    }

    [Fact]
    public async Task State_is_read_and_written_whole_and_in_segments_through_a_real_store()
    {
        var function = Deploy(State);
        var state = new StateHostCalls(_store.State, function.Namespace, StoreOptions.DefaultMaxStateValueBytes, UnavailableHostCalls.Instance, NullLogger.Instance);

        var execution = await InvokeAsync(function, "faasm-key"u8.ToArray(), hostCalls: state);

        Assert.Equal(0, execution.ReturnCode);
        Assert.Equal(
            """{"size": 5, "seg": [0, 0, 97, 98, 0, 99, 0, 0], "segSize": 8, "part": "ell", "padded": [104, 101, 108, 108, 111, 0, 0], "absent": [0, 0, 0], "absentSize": 0, "outside": "state segment at 7 of 2 bytes is outside the value's 8 bytes"}""",
            Text(execution));
        Assert.Equal("hello"u8.ToArray(), await _store.State.ReadAsync(function.Namespace, "faasm-key", TestContext.Current.CancellationToken));
        Assert.Equal(new byte[] { 0, 0, 97, 98, 0, 99, 0, 0 }, await _store.State.ReadAsync(function.Namespace, "faasm-key.seg", TestContext.Current.CancellationToken));
    }

    private FunctionSpec Deploy(string code) =>
        _pool.Deploy(RuntimeNames.Python, "function", new Dictionary<string, string> { ["function.py"] = code }) with
        {
            Convention = CallConventions.FaasmPython,
        };

    private async Task<Execution> InvokeAsync(
        FunctionSpec function, byte[] input, bool returnOutput = false, string? entry = null, IHostCallHandler? hostCalls = null)
    {
        var request = CallRequest.Bytes(input, returnOutput) with
        {
            Convention = CallConventions.FaasmPython, Entry = entry, HostCalls = hostCalls ?? UnavailableHostCalls.Instance,
        };
        var execution = await _pool.Pool.InvokeAsync(function, request, TestContext.Current.CancellationToken);
        if (entry is null || EntryIsName(entry))
        {
            ExecutorTests.AssertSucceeded(execution);
        }

        return execution;
    }

    private static bool EntryIsName(string entry) => Runtimes.Protocol.EntryNames.Problem(entry) is null;

    private static string Text(Execution execution) => Encoding.UTF8.GetString(execution.ResultBytes);
}
