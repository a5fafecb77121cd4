using System.Text.Json;
using Fleet.Contracts;
using Fleet.Worker.Runtimes;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>Calls through the pool into real sandboxed Python and Node executors.</summary>
public sealed class ExecutorTests : IAsyncLifetime
{
    private readonly TestPool _pool = new();

    public static TheoryData<string> AllRuntimes => [RuntimeNames.Python, RuntimeNames.Node];

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task A_call_returns_the_handlers_JSON_result_and_the_next_call_reuses_the_warm_instance(string runtime)
    {
        var function = _pool.DeployWork(runtime);

        var cold = await _pool.InvokeAsync(function, """{"echo": "hi ü"}""");
        var warm = await _pool.InvokeAsync(function, """{"echo": [1, 2]}""");

        AssertSucceeded(cold);
        Assert.False(cold.IsWarmStart);
        using (var result = JsonDocument.Parse(cold.Result))
        {
            Assert.Equal(1, result.RootElement.GetProperty("calls").GetInt32());
            Assert.Equal("hi ü", result.RootElement.GetProperty("echo").GetString());
            Assert.Equal(JsonValueKind.Object, result.RootElement.GetProperty("context").ValueKind);
        }

        AssertSucceeded(warm);
        Assert.True(warm.IsWarmStart);
        Assert.Equal(0, warm.ColdStartSeconds);
        Assert.Equal(2, Calls(warm));
        Assert.Equal("[1,2]", Minified(warm, "echo"));
        Assert.Equal(1, _pool.Pool.Snapshot().Instances);
    }

    [Theory]
    [InlineData(RuntimeNames.Python, "ValueError: boom")]
    [InlineData(RuntimeNames.Node, "TypeError: boom")]
    public async Task A_raising_function_fails_with_its_error_and_the_same_instance_serves_the_next_call(string runtime, string error)
    {
        var function = _pool.DeployWork(runtime);

        var failed = await _pool.InvokeAsync(function, """{"mode": "fail"}""");
        var next = await _pool.InvokeAsync(function);

        Assert.Equal(InvocationStatus.Failed, failed.Status);
        Assert.Equal(error, failed.Error);
        Assert.Equal("", failed.Result);
        AssertSucceeded(next);
        Assert.True(next.IsWarmStart);
        Assert.Equal(2, Calls(next));
    }

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task An_endless_function_is_killed_at_its_timeout_and_the_next_call_gets_a_fresh_instance(string runtime)
    {
        var function = _pool.DeployWork(runtime, timeoutSeconds: 1);

        var endless = await _pool.InvokeAsync(function, """{"mode": "loop"}""");

        Assert.Equal(InvocationStatus.TimedOut, endless.Status);
        Assert.Equal("timed out after 1s", endless.Error);
        Assert.Equal(0, _pool.Pool.Snapshot().Instances);
        Assert.Empty(_pool.InstanceGroups());
        await _pool.WaitForLaunchersToEndAsync();

        AssertFreshStart(await _pool.InvokeAsync(function));
    }

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task A_function_that_exits_its_process_fails_and_the_next_call_gets_a_fresh_instance(string runtime)
    {
        var function = _pool.DeployWork(runtime);

        var exited = await _pool.InvokeAsync(function, """{"mode": "exit"}""");

        Assert.Equal(InvocationStatus.Failed, exited.Status);
        Assert.StartsWith("instance exited", exited.Error, StringComparison.Ordinal);
        Assert.Equal(0, _pool.Pool.Snapshot().Instances);

        AssertFreshStart(await _pool.InvokeAsync(function));
    }

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task An_instance_that_exits_while_idle_is_replaced_and_the_next_call_succeeds(string runtime)
    {
        var function = _pool.DeployWork(runtime);

        var replied = await _pool.InvokeAsync(function, """{"mode": "exit-after-reply"}""");
        AssertSucceeded(replied);
        await _pool.WaitForLaunchersToEndAsync();
        AssertFreshStart(await _pool.InvokeAsync(function));
        Assert.Equal(1, _pool.Pool.Snapshot().Instances);
    }

    [Theory]
    [MemberData(nameof(AllRuntimes))]
    public async Task Prints_and_raw_writes_to_stdout_and_stderr_do_not_disturb_the_protocol(string runtime)
    {
        var function = _pool.DeployWork(runtime);

        var quiet = await _pool.InvokeAsync(function, """{"mode": "print"}""");
        var captured = await _pool.InvokeAsync(function, """{"mode": "print"}""", returnOutput: true);
        var next = await _pool.InvokeAsync(function, """{"echo": "after"}""");

        AssertSucceeded(quiet);
        Assert.Equal(1, Calls(quiet));
        Assert.Equal(("", ""), (quiet.Stdout, quiet.Stderr));
        AssertSucceeded(captured);
        Assert.Equal(2, Calls(captured));
        Assert.StartsWith("to stdout\n" + new string('x', 200000), captured.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("to stderr\n", captured.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("garbage", captured.Stdout + captured.Stderr, StringComparison.Ordinal);
        AssertSucceeded(next);
        Assert.True(next.IsWarmStart);
        Assert.Equal(3, Calls(next));
        Assert.Equal("\"after\"", Minified(next, "echo"));
    }

    [Fact]
    public async Task A_function_that_garbles_the_reply_pipe_fails_with_that_reason_and_the_next_call_gets_a_fresh_instance()
    {
        var function = _pool.Deploy(RuntimeNames.Python, "garble.work", new Dictionary<string, string>
        {
            ["garble.py"] = """
                import os

                def work(params, context):
                    if params.get("garble"):
                        os.write(4, b"\xff\xff\xff\xff")
                    return 1
                """,
        });

        var garbled = await _pool.InvokeAsync(function, """{"garble": true}""");

        Assert.Equal(InvocationStatus.Failed, garbled.Status);
        Assert.Equal("executor sent a malformed reply (executor frame of -1 bytes)", garbled.Error);
        Assert.Equal(0, _pool.Pool.Snapshot().Instances);
        var next = await _pool.InvokeAsync(function);
        AssertSucceeded(next);
        Assert.False(next.IsWarmStart);
    }

    [Fact]
    public async Task An_executor_that_cannot_be_launched_fails_with_what_the_sandbox_said()
    {
        await using var pool = new TestPool(options => options.PythonPath = "/usr/bin/no-such-python");
        var function = pool.DeployWork(RuntimeNames.Python);

        var execution = await pool.InvokeAsync(function);

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.StartsWith("instance exited (code ", execution.Error, StringComparison.Ordinal);
        Assert.Contains("/usr/bin/no-such-python: No such file or directory", execution.Error, StringComparison.Ordinal);
        Assert.Equal(0, pool.Pool.Snapshot().Instances);
    }

    [Fact]
    public async Task Params_that_are_not_JSON_fail_before_reaching_the_function()
    {
        var function = _pool.DeployWork(RuntimeNames.Python);

        var invalid = await _pool.InvokeAsync(function, "{not json");
        var next = await _pool.InvokeAsync(function);

        Assert.Equal(InvocationStatus.Failed, invalid.Status);
        Assert.Equal("params are not valid JSON", invalid.Error);
        AssertSucceeded(next);
        Assert.True(next.IsWarmStart);
        Assert.Equal(1, Calls(next));
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    internal static void AssertSucceeded(Execution execution) =>
        Assert.True(execution.Status == InvocationStatus.Succeeded, $"{execution.Status}: {execution.Error}");

    /// <summary>The call succeeded as the first call of a new instance.</summary>
    private static void AssertFreshStart(Execution execution)
    {
        AssertSucceeded(execution);
        Assert.False(execution.IsWarmStart);
        Assert.Equal(1, Calls(execution));
    }

    internal static int Calls(Execution execution)
    {
        using var result = JsonDocument.Parse(execution.Result);
        return result.RootElement.GetProperty("calls").GetInt32();
    }

    private static string Minified(Execution execution, string property)
    {
        using var result = JsonDocument.Parse(execution.Result);
        return JsonSerializer.Serialize(result.RootElement.GetProperty(property));
    }
}
