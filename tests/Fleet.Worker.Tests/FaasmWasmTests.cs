using System.Text;
using Fleet.Contracts;
using Fleet.EndToEnd.Tests.Infrastructure;
using Fleet.Storage;
using Fleet.Wasm;
using Fleet.Worker.HostCalls;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.HostCalls;
using Microsoft.Extensions.Logging.Abstractions;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>
/// The faasm-wasm convention in the real sandboxed WebAssembly executor: modules built with sdk/faasm's fleet-wasm-cc,
/// compiled as the registry compiles them, run through the pool: output, stdout, return codes, traps, entries, state on
/// a real store, a fresh instance per call, timeouts. Chained calls need the scheduler: see Fleet.Facades.Tests.
/// </summary>
public sealed class FaasmWasmTests : IAsyncLifetime
{
    private const string Codes = """
        #include <faasm/faasm.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>

        static int calls = 0;

        __attribute__((export_name("shout"))) int shout(void) {
            char buffer[64] = {0};
            long n = faasmGetInputSize();
            faasmGetInput((uint8_t*)buffer, n < 63 ? n : 63);
            for (char* c = buffer; *c; c++) *c = (char)(*c - 32);
            faasmSetOutput(buffer, strlen(buffer));
            return 5;
        }

        static int from_table(void) { faasmSetOutput("table", 5); return 6; }
        __attribute__((export_name("table_index"))) int table_index(void) { int (*volatile f)(void) = from_table; return (int)(long)f; }

        int main(void) {
            char mode[32] = {0};
            faasmGetInput((uint8_t*)mode, 31);
            calls++;
            if (strcmp(mode, "calls") == 0) { char text[8]; snprintf(text, sizeof text, "%d", calls); faasmSetOutput(text, strlen(text)); return 0; }
            if (strcmp(mode, "seven") == 0) return 7;
            if (strcmp(mode, "exit3") == 0) exit(3);
            if (strcmp(mode, "trap") == 0) __builtin_trap();
            if (strcmp(mode, "write-then-trap") == 0) { faasmSetOutput("partial", 7); __builtin_trap(); }
            if (strcmp(mode, "bad-pointer") == 0) { faasmSetOutput((const char*)0x7ffffff0, 4096); return 0; }
            if (strcmp(mode, "print") == 0) { printf("one\n"); printf("two"); fprintf(stderr, "err"); faasmSetOutput("printed", 7); return 0; }
            return 0;
        }
        """;

    private const string MappedState = """
        #include <faasm/faasm.h>
        #include <string.h>

        int main(void) {
            uint8_t* value = faasmReadStatePtr("mapped", 4);
            value[0] += 1;
            value[3] = 'z';
            faasmPushState("mapped");
            uint8_t appended[3] = {1, 2, 3};
            faasmAppendState("log", appended, 3);
            faasmAppendState("log", appended, 2);
            uint8_t back[5];
            faasmReadAppendedState("log", back, 5, 2);
            faasmSetOutput((const char*)back, 5);
            return faasmReadStateSize("nothing") == 0 ? 0 : 9;
        }
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
    public async Task The_sdks_echo_writes_its_input_back_prints_it_and_answers_an_empty_input()
    {
        var function = Deploy(WasmFunctions.Demo("echo"));

        var echoed = await InvokeAsync(function, "hello wasm"u8.ToArray(), returnOutput: true);
        var empty = await InvokeAsync(function, []);

        Assert.Equal(("hello wasm", 0, "Echoing hello wasm\n"), (Text(echoed), echoed.ReturnCode, echoed.Stdout));
        Assert.Equal(("Nothing to echo", 0), (Text(empty), empty.ReturnCode));
        Assert.True(empty.IsWarmStart);
    }

    [Theory]
    [InlineData("seven", 7, "")]
    [InlineData("exit3", 3, "")]
    [InlineData("trap", 1, "wasm trap: wasm `unreachable` instruction executed")]
    [InlineData("write-then-trap", 1, "partial")]
    [InlineData("bad-pointer", 1, "4096 bytes at 2147483632 are outside the module's memory")]
    public async Task The_return_code_is_mains_value_or_exit_status_and_a_trap_is_1_with_its_message(string mode, int code, string output)
    {
        var function = Deploy(WasmFunctions.Build(Codes));

        var execution = await InvokeAsync(function, Encoding.UTF8.GetBytes(mode));
        var next = await InvokeAsync(function, "seven"u8.ToArray());

        Assert.Equal((code, output), (execution.ReturnCode, Text(execution)));
        Assert.Equal(7, next.ReturnCode);
        Assert.True(next.IsWarmStart, "the instance did not survive the call");
    }

    [Fact]
    public async Task Static_constructors_run_before_main_in_every_call()
    {
        const string source = """
            #include <faasm/faasm.h>
            #include <cstdlib>
            #include <iostream>
            #include <string>

            static std::string greeting = "hello " + std::to_string(std::rand() % 1 + 7);

            int main() {
                std::cout << greeting << std::endl;
                faasmSetOutput(greeting.c_str(), greeting.size());
                return 0;
            }
            """;
        var function = Deploy(WasmFunctions.Build(source, ".cpp"));

        var first = await InvokeAsync(function, [], returnOutput: true);
        var second = await InvokeAsync(function, []);

        Assert.Equal(("hello 7", "hello 7\n"), (Text(first), first.Stdout));
        Assert.Equal("hello 7", Text(second));
    }

    [Fact]
    public async Task Every_call_runs_in_a_fresh_instance_of_the_module()
    {
        var function = Deploy(WasmFunctions.Build(Codes));

        var first = await InvokeAsync(function, "calls"u8.ToArray());
        var second = await InvokeAsync(function, "calls"u8.ToArray());

        Assert.Equal(("1", "1"), (Text(first), Text(second)));
        Assert.True(second.IsWarmStart);
    }

    [Fact]
    public async Task Stdout_and_stderr_are_captured_whole_when_main_returns()
    {
        var execution = await InvokeAsync(Deploy(WasmFunctions.Build(Codes)), "print"u8.ToArray(), returnOutput: true);

        Assert.Equal(("printed", "one\ntwo", "err"), (Text(execution), execution.Stdout, execution.Stderr));
    }

    [Fact]
    public async Task An_entry_runs_that_export_or_table_entry_with_the_input()
    {
        var function = Deploy(WasmFunctions.Build(Codes));
        var index = (await InvokeAsync(function, [], entry: "table_index")).ReturnCode;

        var exported = await InvokeAsync(function, "quiet"u8.ToArray(), entry: "shout");
        var table = await InvokeAsync(function, [], entry: $"__table_{index}");
        var missing = await InvokeAsync(function, [], entry: "no_such_entry");
        var outside = await InvokeAsync(function, [], entry: "__table_99999");

        Assert.Equal(("QUIET", 5), (Text(exported), exported.ReturnCode));
        Assert.Equal(("table", 6), (Text(table), table.ReturnCode));
        Assert.Equal((1, "entry no_such_entry is not a function of the module taking no arguments"), (missing.ReturnCode, Text(missing)));
        Assert.Equal(1, outside.ReturnCode);
    }

    [Fact]
    public async Task State_is_read_and_written_whole_in_segments_and_through_pointers_on_a_real_store()
    {
        var counter = Deploy(WasmFunctions.Demo("state"));
        var offsets = Deploy(WasmFunctions.Demo("state_offset")) with { Namespace = counter.Namespace };
        var mapped = Deploy(WasmFunctions.Build(MappedState)) with { Namespace = counter.Namespace };
        var state = new StateHostCalls(_store.State, counter.Namespace, StoreOptions.DefaultMaxStateValueBytes, UnavailableHostCalls.Instance, NullLogger.Instance);
        var cancellation = TestContext.Current.CancellationToken;
        await _store.State.WriteAsync(counter.Namespace, "mapped", "abcd"u8.ToArray(), StoreOptions.DefaultMaxStateValueBytes, cancellation);

        var one = await InvokeAsync(counter, [], hostCalls: state);
        var two = await InvokeAsync(counter, [], hostCalls: state);
        var segments = await InvokeAsync(offsets, [], hostCalls: state);
        var pointers = await InvokeAsync(mapped, [], hostCalls: state);

        Assert.Equal(("1", "2"), (Text(one), Text(two)));
        Assert.Equal(("success", 0), (Text(segments), segments.ReturnCode));
        Assert.Equal(new byte[] { 20, 20, 12, 30, 31, 32, 16 }, await _store.State.ReadAsync(counter.Namespace, "state_offset_demo", cancellation));
        Assert.Equal(0, pointers.ReturnCode);
        Assert.Equal(new byte[] { 1, 2, 3, 1, 2 }, pointers.ResultBytes);
        Assert.Equal("bbcz"u8.ToArray(), await _store.State.ReadAsync(counter.Namespace, "mapped", cancellation));
    }

    [Fact]
    public async Task Host_calls_the_worker_refuses_fail_the_call_with_the_reason()
    {
        var execution = await InvokeAsync(Deploy(WasmFunctions.Demo("state")), []);

        Assert.Equal(1, execution.ReturnCode);
        Assert.Contains("state.size", Text(execution), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runaway_module_is_stopped_at_its_timeout_and_the_function_serves_again()
    {
        var spin = Deploy(WasmFunctions.Demo("spin"), timeoutSeconds: 1);

        var stopped = await _pool.Pool.InvokeAsync(spin, Request([], null, null), TestContext.Current.CancellationToken);

        Assert.Equal(InvocationStatus.TimedOut, stopped.Status);
        var echo = Deploy(WasmFunctions.Demo("echo"));
        Assert.Equal("after", Text(await InvokeAsync(echo, "after"u8.ToArray())));
    }

    [Fact]
    public async Task A_package_without_compiled_code_is_compiled_by_the_executor()
    {
        var function = _pool.DeployBytes(RuntimeNames.Wasm, "function", WasmFunctions.Package((WasmModules.ModuleFile, WasmFunctions.Demo("echo")))) with
        {
            Convention = CallConventions.FaasmWasm,
        };

        Assert.Equal("compiled here", Text(await InvokeAsync(function, "compiled here"u8.ToArray())));
    }

    [Fact]
    public async Task A_cold_start_claims_a_spare_when_the_worker_has_cgroups()
    {
        Assert.SkipUnless(TestPool.HasCgroups, "spares need cgroups");
        await using var pool = new TestPool(options => options.SpareInstances = 1);
        for (var waited = 0; pool.Pool.SpareCount < Runtimes.Catalog.RuntimeCatalog.Spares.Count && waited < 600; waited++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var function = pool.DeployBytes(RuntimeNames.Wasm, "function", Compiled(WasmFunctions.Demo("echo"))) with { Convention = CallConventions.FaasmWasm };
        var execution = await pool.Pool.InvokeAsync(function, Request("spare"u8.ToArray(), null, null), TestContext.Current.CancellationToken);

        ExecutorTests.AssertSucceeded(execution);
        Assert.True(pool.Pool.SparesClaimed == 1, $"the cold start did not run in a spare: {pool.Pool.LastSpareLoss}");
        Assert.Equal("spare", Text(execution));
    }

    private FunctionSpec Deploy(byte[] module, int timeoutSeconds = 10) =>
        _pool.DeployBytes(RuntimeNames.Wasm, "function", Compiled(module), timeoutSeconds: timeoutSeconds) with { Convention = CallConventions.FaasmWasm };

    /// <summary>The package as the registry makes it: the module and its compiled code.</summary>
    private static byte[] Compiled(byte[] module)
    {
        var compilation = WasmModules.Compile(module);
        Assert.Null(compilation.Problem);
        return WasmFunctions.Package((WasmModules.ModuleFile, module), (WasmModules.CompiledFile, compilation.Compiled!));
    }

    private static CallRequest Request(byte[] input, string? entry, IHostCallHandler? hostCalls, bool returnOutput = false) =>
        CallRequest.Bytes(input, returnOutput) with
        {
            Convention = CallConventions.FaasmWasm, Entry = entry, HostCalls = hostCalls ?? UnavailableHostCalls.Instance,
        };

    private async Task<Execution> InvokeAsync(
        FunctionSpec function, byte[] input, bool returnOutput = false, string? entry = null, IHostCallHandler? hostCalls = null)
    {
        var execution = await _pool.Pool.InvokeAsync(function, Request(input, entry, hostCalls, returnOutput), TestContext.Current.CancellationToken);
        ExecutorTests.AssertSucceeded(execution);
        return execution;
    }

    private static string Text(Execution execution) => Encoding.UTF8.GetString(execution.ResultBytes);
}
