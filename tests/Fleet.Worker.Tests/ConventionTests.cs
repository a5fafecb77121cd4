using Fleet.Contracts;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.HostCalls;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>Protocol v2 through the pool into the real sandboxed Python and Node executors.</summary>
public sealed class ConventionTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Python = new()
    {
        ["v2.py"] = """
            import sys

            def work(params, context):
                if params.get("fail"):
                    raise ValueError("item " + str(params["n"]))
                if params.get("progress"):
                    context.progress(0.25)
                    context.progress(1)
                    try:
                        context.host("state.read", key="k")
                    except Exception as error:
                        return type(error).__name__ + ": " + str(error)
                print("to stdout")
                print("to stderr", file=sys.stderr)
                return params.get("n")

            def raw(data, context):
                context.progress(0.5)
                return bytes(reversed(data)), 7

            def twice(data, context):
                return data + data, 2
            """,
    };

    private static readonly Dictionary<string, string> Node = new()
    {
        ["v2.js"] = """
            module.exports = async (params, ctx) => {
              await new Promise((resolve) => setImmediate(resolve));
              if (params.fail) throw new RangeError(`item ${params.n}`);
              if (params.progress) {
                ctx.progress(0.25);
                ctx.progress(1);
                try {
                  ctx.host('state.read', { key: 'k' });
                } catch (error) {
                  return `${error.name}: ${error.message}`;
                }
              }
              console.log('to stdout');
              console.error('to stderr');
              return params.n;
            };
            """,
        ["raw.js"] = """
            module.exports = (data, ctx) => {
              ctx.progress(0.5);
              return { output: Buffer.from(data).reverse(), returnCode: 7 };
            };
            module.exports.twice = (data) => ({ output: Buffer.concat([data, data]), returnCode: 2 });
            """,
    };

    private readonly TestPool _pool = new();
    private readonly RecordedProgress _progress = new();

    [Theory]
    [InlineData(RuntimeNames.Python, "HostCallError")]
    [InlineData(RuntimeNames.Node, "Error")]
    public async Task Progress_reaches_the_caller_and_a_host_call_the_worker_lacks_is_an_exception_in_the_function(string runtime, string error)
    {
        var execution = await InvokeAsync(Deploy(runtime), CallRequest.Json("""{"progress": true}""", returnOutput: false));

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal($"\"{error}: host call state.read is not available\"", execution.Result);
        Assert.Equal([0.25, 1], _progress.Values);
    }

    [Theory]
    [InlineData(RuntimeNames.Python, "ValueError: item 2")]
    [InlineData(RuntimeNames.Node, "RangeError: item 2")]
    public async Task A_batch_has_one_outcome_per_item_and_a_failing_item_fails_alone(string runtime, string error)
    {
        var function = Deploy(runtime);
        string[] items = ["""{"n": 1}""", """{"n": 2, "fail": true}""", """{"n": 3}"""];
        var batch = new CallRequest { Items = [.. items.Select(CallInput.FromJson)], IsBatch = true };

        var execution = await InvokeAsync(function, batch);
        var next = await InvokeAsync(function, CallRequest.Json("""{"n": 4}""", returnOutput: false));

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(
            [(InvocationStatus.Succeeded, "1", ""), (InvocationStatus.Failed, "", error), (InvocationStatus.Succeeded, "3", "")],
            execution.Items.Select(item => (item.Status, item.Result, item.Error)));
        Assert.Equal([0, 1, 0], execution.Items.Select(item => item.ReturnCode));
        ExecutorTests.AssertSucceeded(next);
        Assert.True(next.IsWarmStart);
        Assert.Equal("4", next.Result);
    }

    [Theory]
    [InlineData(RuntimeNames.Python)]
    [InlineData(RuntimeNames.Node)]
    public async Task A_batch_item_that_does_not_fit_the_convention_fails_alone_and_the_others_run(string runtime)
    {
        var function = Deploy(runtime);
        var batch = new CallRequest
        {
            Items = [CallInput.FromJson("""{"n": 1}"""), CallInput.FromJson("{not json"), CallInput.FromBytes(new byte[] { 1 }), CallInput.FromJson("""{"n": 4}""")],
            IsBatch = true,
        };
        var unfitOnly = batch with { Items = [CallInput.FromJson("[1,")] };

        var execution = await InvokeAsync(function, batch);
        var none = await InvokeAsync(function, unfitOnly);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(
            [
                (InvocationStatus.Succeeded, "1", ""), (InvocationStatus.Failed, "", "params are not valid JSON"),
                (InvocationStatus.Failed, "", "a json-handler call takes JSON params"), (InvocationStatus.Succeeded, "4", ""),
            ],
            execution.Items.Select(item => (item.Status, item.Result, item.Error)));
        Assert.Equal([(InvocationStatus.Failed, "params are not valid JSON")], none.Items.Select(item => (item.Status, item.Error)));
    }

    [Theory]
    [InlineData(RuntimeNames.Python, "v2.raw")]
    [InlineData(RuntimeNames.Node, "raw.js")]
    public async Task A_bytes_handler_takes_bytes_and_returns_bytes_and_a_return_code(string runtime, string handler)
    {
        var function = _pool.Deploy(runtime, handler, runtime == RuntimeNames.Python ? Python : Node);

        var execution = await InvokeAsync(function, CallRequest.Bytes(new byte[] { 0, 1, 2, 255 }, returnOutput: false));

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(new byte[] { 255, 2, 1, 0 }, execution.ResultBytes);
        Assert.Equal(7, execution.ReturnCode);
        Assert.Equal("", execution.Result);
        Assert.Equal([0.5], _progress.Values);
    }

    [Theory]
    [InlineData(RuntimeNames.Python, "v2.raw", "AttributeError: module 'v2' has no attribute 'none_such'")]
    [InlineData(RuntimeNames.Node, "raw.js", "TypeError: raw.js does not export a function none_such")]
    public async Task A_call_naming_an_entry_runs_that_function_of_the_module_and_a_missing_one_fails(string runtime, string handler, string missing)
    {
        var function = _pool.Deploy(runtime, handler, runtime == RuntimeNames.Python ? Python : Node);
        var call = CallRequest.Bytes(new byte[] { 1, 2 }, returnOutput: false);

        var execution = await InvokeAsync(function, call with { Entry = "twice" });
        var absent = await InvokeAsync(function, call with { Entry = "none_such" });
        var handlerAgain = await InvokeAsync(function, call);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(new byte[] { 1, 2, 1, 2 }, execution.ResultBytes);
        Assert.Equal(2, execution.ReturnCode);
        Assert.Equal((InvocationStatus.Failed, missing), (absent.Status, absent.Error));
        Assert.Equal(new byte[] { 2, 1 }, handlerAgain.ResultBytes);
        Assert.Equal(7, handlerAgain.ReturnCode);
    }

    [Theory]
    [MemberData(nameof(ExecutorTests.AllRuntimes), MemberType = typeof(ExecutorTests))]
    public async Task Stdout_and_stderr_are_captured_apart(string runtime)
    {
        var execution = await InvokeAsync(Deploy(runtime), CallRequest.Json("""{"n": 5}""", returnOutput: true));

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal("to stdout\n", execution.Stdout);
        Assert.Equal("to stderr\n", execution.Stderr);
        Assert.Equal(0, execution.ReturnCode);
        Assert.Equal("5", execution.Result);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    private FunctionSpec Deploy(string runtime) => runtime == RuntimeNames.Python
        ? _pool.Deploy(runtime, "v2.work", Python)
        : _pool.Deploy(runtime, "v2.js", Node);

    private Task<Execution> InvokeAsync(FunctionSpec function, CallRequest request) =>
        _pool.Pool.InvokeAsync(function, request with { HostCalls = new ProgressHostCalls(_progress) }, TestContext.Current.CancellationToken);
}
