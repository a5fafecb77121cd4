using Fleet.Contracts;
using Fleet.Core.Functions;
using Fleet.Core.Invocations;
using Fleet.EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Facades.Tests;

/// <summary>
/// The dcp-work convention over the real in-process fleet (registry, scheduler, worker): registered on Node and Python
/// only, and a slice's datum that is not a JSON object (a number) goes through the whole call path.
/// </summary>
public sealed class DcpWorkCoreTests(InProcessFleet fleet) : IClassFixture<InProcessFleet>
{
    private static readonly Dictionary<string, string> Code = new()
    {
        ["dcp/work.json"] = """{"function": "(datum, a) => datum * a", "args": [2]}""",
    };

    private FunctionRegistry Registry => fleet.Services.GetRequiredService<FunctionRegistry>();

    private Invoker Invoker => fleet.Services.GetRequiredService<Invoker>();

    [Theory]
    [InlineData(Runtimes.Node, null)]
    [InlineData(Runtimes.Python, null)]
    [InlineData(Runtimes.Wasm, "the dcp-work convention runs on Node and Python only")]
    public async Task A_dcp_work_function_runs_on_node_and_python_only(string runtime, string? refused)
    {
        var registration = await Registry.RegisterAsync(Registration() with { Runtime = runtime }, TestContext.Current.CancellationToken);

        Assert.Equal(refused, registration.Created is null ? registration.Reason : null);
    }

    [Fact]
    public async Task A_number_datum_and_a_batch_of_them_run_through_the_work_function()
    {
        var registration = await Registry.RegisterAsync(Registration(), TestContext.Current.CancellationToken);
        var function = registration.Created ?? throw new InvalidOperationException($"{registration.Problem}: {registration.Reason}");

        var one = await Invoker.RunAsync(Call(function, Payload.OfJson("21")), TestContext.Current.CancellationToken);
        var batch = await Invoker.RunAsync(
            Call(function, Payload.Empty) with { Items = [Payload.OfJson("1"), Payload.OfJson("\"x\""), Payload.OfJson("3")] },
            TestContext.Current.CancellationToken);

        Assert.Equal((InvocationStatus.Succeeded, "42"), (one.Status, one.Output.Json));
        Assert.Equal(InvocationStatus.Succeeded, batch.Status);
        Assert.Equal(["2", "null", "6"], batch.Items!.Select(item => item.Output.Json));
    }

    private static FunctionRegistration Registration() => new()
    {
        Function = new FunctionRef("dcp-tests", $"work-{Guid.NewGuid():N}"[..16]),
        Runtime = Runtimes.Node,
        Convention = CallConventions.DcpWork,
        Handler = "work",
        MemoryMB = 128,
        Package = Tar.Of(Code),
    };

    private static CallRequest Call(FunctionSpec function, Payload input) => new()
    {
        Function = function,
        Input = input,
        ReceivedAt = DateTimeOffset.UtcNow,
    };
}
