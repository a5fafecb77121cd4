using System.Text;
using Fleet.Contracts;
using Fleet.Core.Functions;
using Fleet.Core.Invocations;
using Fleet.EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Facades.Tests;

/// <summary>
/// Faasm's chained Python calls over the real in-process fleet (scheduler, worker, store): pyfaasm.core's chain runs a
/// new call of the same function at the named entry through the invoke host call, and await_call answers its return code.
/// </summary>
public sealed class FaasmPythonChainTests(InProcessFleet fleet) : IClassFixture<InProcessFleet>
{
    private static readonly Dictionary<string, string> Code = new()
    {
        ["function.py"] = """
            from pyfaasm.core import (chain, chain_this_with_input, await_call, read_input, write_output, write_state,
                read_state, read_state_size)

            def square(data):
                n = int(data)
                write_state("square-" + data.decode(), str(n * n))
                write_output("not seen by the parent")
                return 0 if n < 10 else 4

            def fails(data):
                raise ValueError("child " + data.decode())

            def faasm_main():
                first = chain(square, b"3")
                second = chain_this_with_input("square", b"12")
                third = chain(fails, b"x")
                try:
                    await_call(12345)
                    unknown = "no error"
                except ValueError as error:
                    unknown = str(error)
                try:
                    chain("not a name", b"")
                    bad = "no error"
                except Exception as error:
                    bad = str(error)
                key = "square-3"
                write_output("%d %d %d %s | %s | %s" % (await_call(first), await_call(second), await_call(third),
                    read_state(key, read_state_size(key)).decode(), unknown, bad))
                return 0
            """,
    };

    [Theory]
    [InlineData(Runtimes.Python, "function", null)]
    [InlineData(Runtimes.Python, "function.", "Handler must be a module name")]
    [InlineData(Runtimes.Node, "function", "the faasm-python convention runs on Python only")]
    public async Task A_faasm_python_function_names_a_module_and_runs_on_python_only(string runtime, string handler, string? refused)
    {
        var registration = await fleet.Services.GetRequiredService<FunctionRegistry>().RegisterAsync(
            Registration() with { Runtime = runtime, Handler = handler }, TestContext.Current.CancellationToken);

        Assert.Equal(refused, registration.Created is null ? registration.Reason : null);
    }

    [Fact]
    public async Task Chain_runs_the_same_function_at_the_named_entry_and_await_call_answers_its_return_code()
    {
        var registration = await fleet.Services.GetRequiredService<FunctionRegistry>().RegisterAsync(Registration(), TestContext.Current.CancellationToken);
        var function = registration.Created ?? throw new InvalidOperationException($"{registration.Problem}: {registration.Reason}");

        var outcome = await fleet.Services.GetRequiredService<Invoker>().RunAsync(
            new CallRequest { Function = function, Input = Payload.OfBytes([]), ReceivedAt = DateTimeOffset.UtcNow },
            TestContext.Current.CancellationToken);

        Assert.Equal((InvocationStatus.Succeeded, 0), (outcome.Status, outcome.ReturnCode));
        Assert.Equal("0 4 1 9 | await_call: no chained call 12345 in this call | invoke: entry not a name is not a name (ASCII letters, digits and _, not starting with a digit)", Encoding.UTF8.GetString(outcome.Output.Bytes!));
    }

    private static FunctionRegistration Registration() => new()
    {
        Function = new FunctionRef("faasm/python", $"chain-{Guid.NewGuid():N}"[..16]),
        Runtime = Runtimes.Python,
        Convention = CallConventions.FaasmPython,
        Handler = "function",
        MemoryMB = 128,
        Package = Tar.Of(Code),
    };
}
