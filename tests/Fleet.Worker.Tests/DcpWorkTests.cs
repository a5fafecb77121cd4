using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Contracts;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.HostCalls;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>The dcp-work convention (DCP's work functions) through the pool into the real sandboxed Node and Python executors.</summary>
public sealed class DcpWorkTests : IAsyncLifetime
{
    private readonly TestPool _pool = new();
    private readonly RecordedProgress _progress = new();

    [Theory]
    [InlineData("(datum) => datum * 2", "[]", new[] { "1", "2", "3", "4", "5" }, new[] { "2", "4", "6", "8", "10" })]
    [InlineData("async function (datum) { await Promise.resolve(); return datum + 1; }", "[]", new[] { "1", "41" }, new[] { "2", "42" })]
    [InlineData("async (datum, a, b) => datum * a + b", "[3, 4]", new[] { "1", "2" }, new[] { "7", "10" })]
    [InlineData("(datum) => { if (datum) return undefined; }", "[]", new[] { "true", "false" }, new[] { "null", "null" })]
    [InlineData("(datum) => datum", "[]", new[] { "\"text\"", """{"a":[1,null]}""", "[1,2]", "null" }, new[] { "\"text\"", """{"a":[1,null]}""", "[1,2]", "null" })]
    public async Task Node_runs_each_slice_of_a_batch_through_the_work_function_with_the_args(string source, string args, string[] data, string[] results)
    {
        var function = Deploy(RuntimeNames.Node, source, args);

        var execution = await CallAsync(function, data);
        var warm = await CallAsync(function, data[..1]);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(results.Select(result => (InvocationStatus.Succeeded, result, "")), execution.Items.Select(item => (item.Status, item.Result, item.Error)));
        Assert.True(warm.IsWarmStart);
        Assert.Equal(results[0], Assert.Single(warm.Items).Result);
    }

    [Fact]
    public async Task Node_fails_a_throwing_rejecting_or_unserialisable_slice_alone()
    {
        var function = Deploy(RuntimeNames.Node, """
            async (datum) => {
              if (datum === 2) throw new Error('boom');
              if (datum === 3) return 10n;
              if (datum === 4) { const loop = {}; loop.loop = loop; return loop; }
              if (datum === 5) return Promise.reject(new RangeError('no'));
              return datum;
            }
            """);

        var execution = await CallAsync(function, ["1", "2", "3", "4", "5", "6"]);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(
            [
                (InvocationStatus.Succeeded, "1", ""), (InvocationStatus.Failed, "", "Error: boom"),
                (InvocationStatus.Failed, "", "result is not JSON: TypeError: Do not know how to serialize a BigInt"),
                (InvocationStatus.Failed, "", ""), (InvocationStatus.Failed, "", "RangeError: no"), (InvocationStatus.Succeeded, "6", ""),
            ],
            execution.Items.Select((item, index) => (item.Status, item.Result, index == 3 ? "" : item.Error)));
        Assert.StartsWith("result is not JSON: TypeError: Converting circular structure to JSON", execution.Items[3].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_progress_reaches_the_caller_with_or_without_a_fraction_and_console_goes_to_the_call_output()
    {
        var function = Deploy(RuntimeNames.Node, """
            (datum) => {
              progress();
              progress(0.5);
              console.log('slice', datum, { n: datum });
              console.error('done');
              try {
                progress(2);
              } catch (error) {
                return error instanceof TypeError;
              }
            }
            """);

        var execution = await CallAsync(function, ["1"], returnOutput: true);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal("true", Assert.Single(execution.Items).Result);
        Assert.Equal([double.NaN, 0.5], _progress.Values);
        Assert.Equal("slice 1 {\"n\":1}\n", execution.Stdout);
        Assert.Equal("done\n", execution.Stderr);
    }

    [Fact]
    public async Task Node_work_functions_see_the_built_ins_and_not_node()
    {
        var function = Deploy(RuntimeNames.Node, """
            () => [typeof require, typeof process, typeof Buffer, typeof fetch, typeof setTimeout, typeof module, typeof Math, typeof JSON]
            """);

        var execution = await CallAsync(function, ["0"]);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(
            """["undefined","undefined","undefined","undefined","undefined","undefined","object","object"]""",
            Assert.Single(execution.Items).Result);
    }

    [Theory]
    [InlineData(RuntimeNames.Node, "42", "work function is not a function")]
    [InlineData(RuntimeNames.Node, "(datum) =>", "work function cannot be evaluated: SyntaxError")]
    [InlineData(RuntimeNames.Python, "work = 42", "work function is not a function")]
    public async Task A_source_that_does_not_give_a_function_fails_the_instances_start(string runtime, string source, string error)
    {
        var execution = await CallAsync(Deploy(runtime, source), ["1"]);

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.Contains(error, execution.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ExecutorTests.AllRuntimes), MemberType = typeof(ExecutorTests))]
    public async Task A_package_without_dcp_work_json_fails_the_instances_start(string runtime)
    {
        var function = _pool.Deploy(runtime, "work", new Dictionary<string, string> { ["work.js"] = "" }) with { Convention = CallConventions.DcpWork };

        var execution = await CallAsync(function, ["1"]);

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.Contains("dcp/work.json cannot be read", execution.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Python_runs_work_on_each_slice_with_the_args_and_a_raising_slice_fails_alone()
    {
        var doubled = Deploy(RuntimeNames.Python, "def work(datum, *args):\n    return datum * 2\n");
        var affine = Deploy(RuntimeNames.Python, """
            def work(datum, a, b):
                progress()
                progress(0.5)
                if datum == 2:
                    raise ValueError("boom")
                return datum * a + b
            """, "[3, 4]");

        var twice = await CallAsync(doubled, ["1", "2", "3", "4", "5"]);
        var mixed = await CallAsync(affine, ["1", "2", "3"]);

        ExecutorTests.AssertSucceeded(twice);
        Assert.Equal(["2", "4", "6", "8", "10"], twice.Items.Select(item => item.Result));
        ExecutorTests.AssertSucceeded(mixed);
        Assert.Equal(
            [(InvocationStatus.Succeeded, "7", ""), (InvocationStatus.Failed, "", "ValueError: boom"), (InvocationStatus.Succeeded, "13", "")],
            mixed.Items.Select(item => (item.Status, item.Result, item.Error)));
        Assert.Equal([double.NaN, 0.5, double.NaN, 0.5, double.NaN, 0.5], _progress.Values);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    private FunctionSpec Deploy(string runtime, string source, string args = "[]")
    {
        var work = JsonSerializer.Serialize(new { function = source, args = JsonNode.Parse(args) });
        return _pool.Deploy(runtime, "work", new Dictionary<string, string> { ["dcp/work.json"] = work }) with { Convention = CallConventions.DcpWork };
    }

    private Task<Execution> CallAsync(FunctionSpec function, string[] data, bool returnOutput = false) => _pool.Pool.InvokeAsync(
        function,
        new CallRequest
        {
            Items = [.. data.Select(CallInput.FromJson)],
            IsBatch = true,
            ReturnOutput = returnOutput,
            Convention = CallConventions.DcpWork,
            HostCalls = new ProgressHostCalls(_progress),
        },
        TestContext.Current.CancellationToken);
}
