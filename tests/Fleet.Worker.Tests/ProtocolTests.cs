using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Fleet.Contracts;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.HostCalls;
using Fleet.Worker.Runtimes.Protocol;

namespace Fleet.Worker.Tests;

/// <summary>
/// The worker's side of protocol v2 against a scripted fake executor in the real sandbox: host requests answered before
/// the reply, and every frame a function could forge (bad ids, oversized or malformed frames, batches out of step, results
/// past the limit) failing the call or the instance, never the worker's limits.
/// </summary>
public sealed class ProtocolTests : IAsyncLifetime
{
    private const int Limit = 4096;

    private readonly TestPool _pool = new(options => options.MaxResultBytes = Limit);
    private readonly RecordedProgress _progress = new();
    private ExecutorInstance _instance = null!;

    public async ValueTask InitializeAsync()
    {
        var code = Directory.CreateDirectory(Path.Combine(_pool.DataDirectory, "fake-code")).FullName;
        var profile = SandboxProfile.From(_pool.Options, _pool.Pool.RunId, code);
        var function = _pool.Deploy("fake", "", new Dictionary<string, string>());
        _instance = await ExecutorInstance.StartAsync(
            $"fake-{Guid.NewGuid():N}", function, CallConventions.JsonHandler, new FakeExecutor(), code, profile, _pool.Time,
            TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Host_requests_are_answered_in_turn_before_the_final_reply_and_progress_reaches_the_caller()
    {
        var execution = await PlayAsync(
            Host(1, "progress", "value", 0.25), Receive,
            Host(2, "state.read", "key", "k"), Receive,
            Host(5, "progress", "value", 2), Receive,
            Reply(new { }));

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(
            """[{"op":"host-reply","id":1,"ok":true},{"op":"host-reply","id":2,"ok":false,"error":"host call state.read is not available"},"""
            + """{"op":"host-reply","id":5,"ok":false,"error":"progress takes a number from 0 to 1"}]""",
            Minified(execution.Result));
        Assert.Equal([0.25], _progress.Values);
        Assert.False(_instance.Broken);
    }

    [Fact]
    public async Task A_host_request_over_the_size_limit_is_refused_and_the_call_goes_on()
    {
        var oversized = new { pad = new { frame = new { op = "host", id = 1, call = "progress", value = 0.5 }, bytes = ExecutorSession.MaxHostRequestBytes + 4000 } };

        var execution = await PlayAsync(oversized, Receive, Reply(new { }));

        ExecutorTests.AssertSucceeded(execution);
        using var replies = JsonDocument.Parse(execution.Result);
        var error = replies.RootElement[0].GetProperty("error").GetString()!;
        Assert.StartsWith($"host request of {(ExecutorSession.MaxHostRequestBytes + 4000) / 1000}", error, StringComparison.Ordinal);
        Assert.EndsWith(" bytes is larger than the limit of 1048576 bytes", error, StringComparison.Ordinal);
        Assert.Empty(_progress.Values);
    }

    public static TheoryData<string, string> ForgedFrames => new()
    {
        { """[{"send": {"op": "host", "id": 3, "call": "progress", "value": 0}}, {"receive": true}, {"send": {"op": "host", "id": 3, "call": "progress", "value": 0}}]""", "host request 3 after host request 3" },
        { """[{"send": {"op": "host", "id": "1", "call": "progress"}}]""", "not a reply or host request" },
        { """[{"send": {"op": "host", "id": 1}}]""", "not a reply or host request" },
        { """[{"send": {"op": "reply", "id": 99, "ok": true, "result": "1"}}]""", "reply to frame 99 while frame 2 runs" },
        { """[{"send": {"op": "shout", "id": "$call"}}]""", "frame of an unknown op" },
        { """[{"send": {"op": "reply", "id": "$call", "ok": true, "output": "not base64!"}}]""", "not a reply or host request" },
        { $$"""[{"raw": "{{Frame("{not json")}}"}]""", "not a reply or host request" },
        { """[{"raw": "f////w=="}]""", "executor frame of 2147483647 bytes" },
    };

    [Theory]
    [MemberData(nameof(ForgedFrames))]
    public async Task A_frame_out_of_step_fails_the_call_with_the_reason_and_ends_the_instance(string script, string reason)
    {
        var execution = await CallAsync(CallRequest.Json($$"""{"script": {{script}}}""", returnOutput: false));

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.Equal($"executor sent a malformed reply ({reason})", execution.Error);
        Assert.True(_instance.Broken);
    }

    [Fact]
    public async Task A_batch_reply_with_another_number_of_outcomes_fails_the_call_and_ends_the_instance()
    {
        var execution = await CallAsync(Batch(Script(Reply(new { items = new[] { new { ok = true, result = "1" } } })), "{}"));

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.Equal("executor sent a malformed reply (1 outcomes to a batch of 2)", execution.Error);
        Assert.True(_instance.Broken);
    }

    [Fact]
    public async Task A_batch_s_forged_results_share_the_result_limit_and_each_item_keeps_its_own_outcome()
    {
        var big = JsonSerializer.Serialize(new string('a', 3000));
        var execution = await CallAsync(Batch(Script(Reply(new
        {
            items = new object[]
            {
                new { ok = true, result = big, returnCode = 0 },
                new { ok = false, error = "ValueError: boom", returnCode = 1 },
                new { ok = true, result = big, returnCode = 0 },
                new { ok = true, result = "NaN", returnCode = 0 },
            },
        })), "{}", "{}", "{}"));

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(
            [InvocationStatus.Succeeded, InvocationStatus.Failed, InvocationStatus.Failed, InvocationStatus.Failed],
            execution.Items.Select(item => item.Status));
        Assert.Equal(big, execution.Items[0].Result);
        Assert.Equal(["", "ValueError: boom", $"result of 3002 bytes is larger than the limit of {Limit - 3002} bytes", "result is not JSON"],
            execution.Items.Select(item => item.Error));
        Assert.All(execution.Items.Skip(1), item => Assert.Equal("", item.Result));
        Assert.False(_instance.Broken);
    }

    [Fact]
    public async Task Forged_stdout_and_stderr_beyond_the_limit_are_cut_to_it()
    {
        var forged = Reply(new { stdout = new string('o', 3 * Limit), stderr = "é" + new string('e', Limit) });

        var execution = await CallAsync(CallRequest.Json(Script(forged), returnOutput: true));

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(new string('o', Limit) + OutputText.TruncatedMark, execution.Stdout);
        Assert.Equal("é" + new string('e', Limit - 2) + OutputText.TruncatedMark, execution.Stderr);
    }

    [Fact]
    public async Task A_call_in_another_convention_than_the_instance_loaded_fails_before_reaching_it()
    {
        var execution = await CallAsync(CallRequest.Bytes(new byte[] { 1 }, returnOutput: false));

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.Equal("the instance loaded the function as json-handler, not bytes-handler", execution.Error);
        Assert.False(_instance.Broken);
    }

    public async ValueTask DisposeAsync()
    {
        await _instance.DisposeAsync();
        await _pool.DisposeAsync();
    }

    private static object Receive => new { receive = true };

    private static object Host(long id, string call, string field, object value) =>
        new { send = new Dictionary<string, object> { ["op"] = "host", ["id"] = id, ["call"] = call, [field] = value } };

    private static object Reply(object fields) => new { reply = fields };

    private static string Script(params object[] steps) => JsonSerializer.Serialize(new { script = steps });

    /// <summary>The body framed as the protocol frames it, in base64.</summary>
    private static string Frame(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var frame = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, bytes.Length);
        bytes.CopyTo(frame, 4);
        return Convert.ToBase64String(frame);
    }

    private static CallRequest Batch(params string[] items) => new()
    {
        Items = [.. items.Select(CallInput.FromJson)],
        IsBatch = true,
    };

    private static string Minified(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    private Task<Execution> PlayAsync(params object[] steps) => CallAsync(CallRequest.Json(Script(steps), returnOutput: false));

    private Task<Execution> CallAsync(CallRequest request) =>
        _instance.CallAsync(request with { HostCalls = new ProgressHostCalls(_progress) }, 10, TestContext.Current.CancellationToken);
}
