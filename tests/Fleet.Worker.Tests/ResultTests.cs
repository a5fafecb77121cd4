using Fleet.Contracts;
using Fleet.Worker.Runtimes;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>A result is one JSON value within Worker:MaxResultBytes, or the call fails with the reason; the instance lives on.</summary>
public sealed class ResultTests : IAsyncLifetime
{
    private const int Limit = 4096;

    private static readonly Dictionary<string, string> Python = new()
    {
        ["results.py"] = """
            import os

            def work(params, context):
                kind = params["kind"]
                if kind == "nan":
                    return {"value": float("nan")}
                if kind == "infinity":
                    return float("inf")
                if kind == "set":
                    return {1, 2}
                if kind == "size":
                    return "x" * params["chars"]
                if kind == "chatty":
                    print("y" * params["chars"])
                    return 1
                if kind == "forged":
                    # Frame ids are sequential, so a function can guess its call's: the first after init is 2.
                    body = b'{"op": "reply", "id": 2, "ok": true, "result": "NaN"}'
                    os.write(4, len(body).to_bytes(4, "big") + body)
                    os._exit(0)
                return None
            """,
    };

    private static readonly Dictionary<string, string> Node = new()
    {
        ["results.js"] = """
            module.exports = (params) => {
              switch (params.kind) {
                case 'nan': return { value: NaN };
                case 'bigint': return { value: 10n };
                case 'cycle': { const a = {}; a.self = a; return a; }
                case 'size': return 'x'.repeat(params.chars);
                case 'chatty': console.log('y'.repeat(params.chars)); return 1;
                default: return undefined;
              }
            };
            """,
    };

    private readonly TestPool _pool = new(options => options.MaxResultBytes = Limit);

    [Theory]
    [InlineData(RuntimeNames.Python, "nan", "result is not JSON: ValueError: Out of range float values are not JSON compliant")]
    [InlineData(RuntimeNames.Python, "infinity", "result is not JSON: ValueError: Out of range float values are not JSON compliant")]
    [InlineData(RuntimeNames.Python, "set", "result is not JSON: TypeError: Object of type set is not JSON serializable")]
    [InlineData(RuntimeNames.Node, "bigint", "result is not JSON: TypeError: Do not know how to serialize a BigInt")]
    [InlineData(RuntimeNames.Node, "cycle", "result is not JSON: TypeError: Converting circular structure to JSON")]
    public async Task A_result_that_is_not_JSON_fails_the_call_with_the_reason_and_the_instance_serves_the_next(string runtime, string kind, string reason)
    {
        var function = Deploy(runtime);

        var failed = await _pool.InvokeAsync(function, $$"""{"kind": "{{kind}}"}""");
        var next = await _pool.InvokeAsync(function, """{"kind": "size", "chars": 3}""");

        Assert.Equal(InvocationStatus.Failed, failed.Status);
        Assert.StartsWith(reason, failed.Error, StringComparison.Ordinal);
        Assert.Equal("", failed.Result);
        ExecutorTests.AssertSucceeded(next);
        Assert.True(next.IsWarmStart);
        Assert.Equal("\"xxx\"", next.Result);
    }

    [Fact]
    public async Task NaN_in_a_Node_result_is_null_as_JSON_stringify_writes_it()
    {
        var execution = await _pool.InvokeAsync(Deploy(RuntimeNames.Node), """{"kind": "nan"}""");

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal("""{"value":null}""", execution.Result);
    }

    [Theory]
    [InlineData(RuntimeNames.Python)]
    [InlineData(RuntimeNames.Node)]
    public async Task A_result_over_the_limit_fails_the_call_and_one_at_the_limit_is_returned(string runtime)
    {
        var function = Deploy(runtime);

        var over = await _pool.InvokeAsync(function, $$"""{"kind": "size", "chars": {{Limit - 1}}}""");
        var at = await _pool.InvokeAsync(function, $$"""{"kind": "size", "chars": {{Limit - 2}}}""");

        Assert.Equal(InvocationStatus.Failed, over.Status);
        Assert.Equal($"result of {Limit + 1} bytes is larger than the limit of {Limit} bytes", over.Error);
        ExecutorTests.AssertSucceeded(at);
        Assert.Equal(Limit, at.Result.Length);
        Assert.True(at.IsWarmStart);
    }

    [Theory]
    [InlineData(RuntimeNames.Python)]
    [InlineData(RuntimeNames.Node)]
    public async Task Captured_output_is_cut_to_the_limit(string runtime)
    {
        var execution = await _pool.InvokeAsync(Deploy(runtime), """{"kind": "chatty", "chars": 100000}""", returnOutput: true);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(new string('y', Limit) + "\n[output truncated]", execution.Stdout);
    }

    [Fact]
    public async Task A_reply_frame_the_function_forged_with_a_result_that_is_not_JSON_fails_the_call()
    {
        var execution = await _pool.InvokeAsync(Deploy(RuntimeNames.Python), """{"kind": "forged"}""");

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.Equal("result is not JSON", execution.Error);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("{\"a\": [1, 2.5e3, null]}", true)]
    [InlineData("NaN", false)]
    [InlineData("Infinity", false)]
    [InlineData("{\"a\": NaN}", false)]
    [InlineData("1 2", false)]
    [InlineData("{", false)]
    [InlineData("// comment\n1", false)]
    public void Json_text_is_one_value_exactly(string text, bool valid) => Assert.Equal(valid, JsonText.IsValue(text));

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    private FunctionSpec Deploy(string runtime) => runtime == RuntimeNames.Python
        ? _pool.Deploy(runtime, "results.work", Python)
        : _pool.Deploy(runtime, "results.js", Node);
}
