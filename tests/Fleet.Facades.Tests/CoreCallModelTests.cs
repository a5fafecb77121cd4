using Fleet.Contracts;
using Fleet.Core.Functions;
using Fleet.Core.Invocations;
using Fleet.EndToEnd.Tests.Infrastructure;
using Fleet.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Facades.Tests;

/// <summary>
/// The core's facade-neutral call model, as the facades to come use it, over the real in-process fleet: bytes in and
/// out with a return code, input held in the store as a blob, stdout and stderr kept apart.
/// </summary>
public sealed class CoreCallModelTests(InProcessFleet fleet) : IClassFixture<InProcessFleet>
{
    private static readonly Dictionary<string, string> Code = new()
    {
        ["raw.py"] = """
            import sys
            import time

            def reverse(data, context):
                if not data:
                    raise ValueError("nothing to reverse")
                print("read", len(data), "bytes")
                print("to stderr", file=sys.stderr)
                return bytes(reversed(data)), 7

            def slow(data, context):
                time.sleep(len(data))
                return data

            def text(params, context):
                return params["letter"] * params["count"]

            def peek(params, context):
                try:
                    return context.host("file.read", key=params["path"])
                except Exception as error:
                    return str(error)

            def chain(params, context):
                child = context.invoke(params["child"], bytes(range(256)) * params["repeat"])
                return {"status": child["status"], "returnCode": child["returnCode"], "length": len(child["output"]), "first": child["output"][0]}
            """,
    };

    private FunctionRegistry Registry => fleet.Services.GetRequiredService<FunctionRegistry>();

    private Invoker Invoker => fleet.Services.GetRequiredService<Invoker>();

    [Fact]
    public async Task A_bytes_handler_takes_bytes_and_answers_bytes_a_return_code_and_its_output_apart()
    {
        var function = await RegisterAsync();

        var outcome = await Invoker.RunAsync(Call(function, Payload.OfBytes([0, 1, 2, 255])), TestContext.Current.CancellationToken);

        Assert.Equal(InvocationStatus.Succeeded, outcome.Status);
        Assert.Equal(Payload.OfBytes([255, 2, 1, 0]), outcome.Output);
        Assert.Equal((7, "read 4 bytes\n", "to stderr\n"), (outcome.ReturnCode, outcome.Stdout, outcome.Stderr));
    }

    [Fact]
    public async Task An_input_held_as_a_blob_is_read_from_the_store_by_the_worker_and_an_async_outcome_is_kept()
    {
        var function = await RegisterAsync();
        byte[] input = [.. Enumerable.Range(0, 3 << 20).Select(i => (byte)i)];
        var hash = Storage.Blobs.BlobHash.Of(input);
        var store = fleet.Services.GetRequiredService<IFleetStore>();
        await store.Blobs.PutAsync(hash, input, expiresAt: DateTimeOffset.UtcNow.AddMinutes(10), TestContext.Current.CancellationToken);

        var id = await Invoker.SubmitAsync(Call(function, Payload.OfBlob(hash)) with { RetentionSeconds = 120 }, TestContext.Current.CancellationToken);
        var status = await PollAsync(id);

        Assert.Equal(InvocationStatus.Succeeded, status.Outcome!.Status);
        Assert.Equal(input.Reverse(), status.Outcome.Output.Bytes!);
        Assert.Equal(7, status.Outcome.ReturnCode);
        var missing = await Invoker.RunAsync(Call(function, Payload.OfBlob(new string('0', 64))), TestContext.Current.CancellationToken);
        Assert.Equal((InvocationStatus.Failed, $"input blob {new string('0', 64)} is not in the store"), (missing.Status, missing.Error));
    }

    [Fact]
    public async Task An_input_and_an_output_above_the_inline_limit_ride_as_blobs_and_read_back_as_they_were()
    {
        var function = await RegisterAsync();
        byte[] input = [.. Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 7))];
        byte[] small = [1, 2, 3];

        var outcome = await Invoker.RunAsync(Call(function, Payload.OfBytes(input)), TestContext.Current.CancellationToken);
        var smallOutcome = await Invoker.RunAsync(Call(function, Payload.OfBytes(small)), TestContext.Current.CancellationToken);

        Assert.Equal(InvocationStatus.Succeeded, outcome.Status);
        Assert.Equal(input.Reverse(), outcome.Output.Bytes!);
        Assert.True(await InStoreAsync(input), "the large input was not put in the store");
        Assert.True(await InStoreAsync([.. input.Reverse()]), "the large output was not put in the store");
        Assert.Equal(Payload.OfBytes([3, 2, 1]), smallOutcome.Output);
        Assert.False(await InStoreAsync(small), "a small input rode as a blob");
    }

    [Fact]
    public async Task A_large_JSON_result_of_an_async_call_is_kept_as_a_blob_and_polled_as_JSON()
    {
        var registration = await Registry.RegisterAsync(
            Registration(CallConventions.JsonHandler) with { Handler = "raw.text" }, TestContext.Current.CancellationToken);
        var function = registration.Created ?? throw new InvalidOperationException(registration.Reason);

        var id = await Invoker.SubmitAsync(
            Call(function, Payload.OfJson("""{"letter": "x", "count": 300000}""")), TestContext.Current.CancellationToken);
        var status = await PollAsync(id);

        var expected = $"\"{new string('x', 300000)}\"";
        Assert.Equal(InvocationStatus.Succeeded, status.Outcome!.Status);
        Assert.Equal(expected, status.Outcome.Output.Json);
        Assert.True(await InStoreAsync(System.Text.Encoding.UTF8.GetBytes(expected)), "the large result was not put in the store");
    }

    [Fact]
    public async Task A_chained_call_with_an_input_and_an_output_above_the_inline_limit_passes_them_as_blobs()
    {
        var child = await RegisterAsync();
        var registration = await Registry.RegisterAsync(
            Registration(CallConventions.JsonHandler) with { Handler = "raw.chain" }, TestContext.Current.CancellationToken);
        var parent = registration.Created ?? throw new InvalidOperationException(registration.Reason);
        byte[] input = [.. Enumerable.Repeat(Enumerable.Range(0, 256).Select(i => (byte)i), 1600).SelectMany(b => b)];

        var outcome = await Invoker.RunAsync(
            Call(parent, Payload.OfJson($$"""{"child": "{{child.Name}}", "repeat": 1600}""")), TestContext.Current.CancellationToken);

        Assert.Equal(InvocationStatus.Succeeded, outcome.Status);
        Assert.Equal("""{"status": "succeeded", "returnCode": 7, "length": 409600, "first": 255}""", outcome.Output.Json);
        Assert.True(await InStoreAsync(input), "the child's large input was not put in the store");
        Assert.True(await InStoreAsync([.. input.Reverse()]), "the child's large output was not put in the store");
    }

    [Fact]
    public async Task Only_Faasms_functions_may_read_the_shared_files()
    {
        var registration = await Registry.RegisterAsync(
            Registration(CallConventions.JsonHandler) with { Handler = "raw.peek" }, TestContext.Current.CancellationToken);
        var function = registration.Created ?? throw new InvalidOperationException(registration.Reason);
        var store = fleet.Services.GetRequiredService<IFleetStore>();
        await store.State.WriteAsync(FunctionNamespaces.SharedFiles, "secret.txt", "shared"u8.ToArray(), 1024, TestContext.Current.CancellationToken);

        var outcome = await Invoker.RunAsync(Call(function, Payload.OfJson("""{"path": "secret.txt"}""")), TestContext.Current.CancellationToken);

        Assert.Equal("\"host call file.read is not available\"", outcome.Output.Json);
    }

    [Fact]
    public async Task A_batch_is_answered_one_outcome_per_item_and_a_failing_item_fails_alone()
    {
        var function = await RegisterAsync();

        var outcome = await Invoker.RunAsync(
            Call(function, Payload.Empty) with { Items = [Payload.OfBytes([1, 2]), Payload.OfBytes([]), Payload.OfBytes([3])] },
            TestContext.Current.CancellationToken);

        Assert.Equal(InvocationStatus.Succeeded, outcome.Status);
        Assert.Equal(3, outcome.Items!.Count);
        Assert.Equal((InvocationStatus.Succeeded, Payload.OfBytes([2, 1]), 7), (outcome.Items[0].Status, outcome.Items[0].Output, outcome.Items[0].ReturnCode));
        Assert.Equal((InvocationStatus.Failed, "ValueError: nothing to reverse"), (outcome.Items[1].Status, outcome.Items[1].Error));
        Assert.Equal((InvocationStatus.Succeeded, Payload.OfBytes([3])), (outcome.Items[2].Status, outcome.Items[2].Output));
    }

    [Fact]
    public async Task A_recorded_async_call_is_queued_then_running_then_completed()
    {
        var function = await RegisterAsync("raw.slow");

        var id = await Invoker.SubmitAsync(Call(function, Payload.OfBytes([1, 2])), TestContext.Current.CancellationToken);
        var seen = new List<CallState> { (await Invoker.GetAsync(id, TestContext.Current.CancellationToken)).State };
        var status = await PollAsync(id, state => { if (seen[^1] != state) seen.Add(state); });

        Assert.Equal(CallState.Completed, status.State);
        Assert.Equal(Payload.OfBytes([1, 2]), status.Outcome!.Output);
        Assert.Contains(CallState.Running, seen);
        Assert.Equal([.. seen.Order()], seen);
        Assert.Equal(CallState.Unknown, (await Invoker.GetAsync("no-such-call", TestContext.Current.CancellationToken)).State);
    }

    [Fact]
    public async Task The_same_name_in_two_namespaces_is_two_functions_with_instances_of_their_own()
    {
        var name = $"same-{Guid.NewGuid():N}"[..13];
        var first = await RegisterAsync(function: new FunctionRef("core-tests-a", name));
        var second = await RegisterAsync("raw.slow", new FunctionRef("core-tests-b", name));
        var ct = TestContext.Current.CancellationToken;

        var warmUp = await Invoker.RunAsync(Call(first, Payload.OfBytes([1, 2])), ct);
        var other = await Invoker.RunAsync(Call(second, Payload.OfBytes([])), ct);
        await Registry.DeleteAsync(new FunctionRef("core-tests-b", name), ct);
        var again = await Invoker.RunAsync(Call(first, Payload.OfBytes([1, 2])), ct);

        Assert.Equal(Payload.OfBytes([2, 1]), warmUp.Output);
        Assert.False(other.IsWarmStart, "the second namespace's function ran on the first one's instance");
        Assert.Equal(Payload.OfBytes([]), other.Output);
        Assert.True(again.IsWarmStart, "deleting the second namespace's function stopped the first one's instance");
        Assert.Equal(Payload.OfBytes([2, 1]), again.Output);
        Assert.NotNull(await Registry.FindAsync(new FunctionRef("core-tests-a", name), ct));
    }

    [Fact]
    public async Task A_registration_with_an_unknown_convention_is_refused()
    {
        var refused = await Registry.RegisterAsync(Registration("no-such-convention"), TestContext.Current.CancellationToken);

        Assert.Equal((RegistrationProblem.Convention, "unknown calling convention no-such-convention"), (refused.Problem, refused.Reason));
    }

    private async Task<bool> InStoreAsync(byte[] bytes) =>
        await fleet.Services.GetRequiredService<IFleetStore>().Blobs.GetAsync(
            Storage.Blobs.BlobHash.Of(bytes), DateTimeOffset.UtcNow, TestContext.Current.CancellationToken) is not null;

    private async Task<FunctionSpec> RegisterAsync(string handler = "raw.reverse", FunctionRef? function = null)
    {
        var request = Registration(CallConventions.BytesHandler) with { Handler = handler };
        var registration = await Registry.RegisterAsync(
            function is null ? request : request with { Function = function }, TestContext.Current.CancellationToken);
        return registration.Created ?? throw new InvalidOperationException($"{registration.Problem}: {registration.Reason}");
    }

    private static FunctionRegistration Registration(string convention) => new()
    {
        Function = new FunctionRef("core-tests", $"raw-{Guid.NewGuid():N}"[..16]),
        Runtime = Runtimes.Python,
        Convention = convention,
        Handler = "raw.reverse",
        MemoryMB = 128,
        Package = Tar.Of(Code),
    };

    private static CallRequest Call(FunctionSpec function, Payload input) => new()
    {
        Function = function,
        Input = input,
        CaptureOutput = true,
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    private async Task<CallStatus> PollAsync(string id, Action<CallState>? observe = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await Invoker.GetAsync(id, TestContext.Current.CancellationToken);
            observe?.Invoke(status.State);
            if (status.State == CallState.Completed || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
