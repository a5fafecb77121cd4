using System.Text.Json;
using Fleet.Storage;
using Fleet.Worker.HostCalls;
using Fleet.Worker.Runtimes;
using Fleet.Worker.Runtimes.HostCalls;
using Microsoft.Extensions.Logging.Abstractions;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>The executors' state wrappers (Python's context.state_*, Node's synchronous ctx.state.*) in the real sandbox, on a real store.</summary>
public sealed class StateWrapperTests : IAsyncLifetime
{
    private const string Expected =
        """{"size": 11, "part": "world", "whole": "Jello world", "gap": 4, "gapBytes": [0, 0, 0, 255], "existed": true, "after": null, "bad": "state.read: a state key holds only ASCII letters, digits and - _ . : / @ + ="}""";

    private static readonly Dictionary<string, string> Python = new()
    {
        ["st.py"] = """
            def work(params, context):
                k = params["key"]
                context.state_write(k, b"hello")
                size = context.state_append(k, " world")
                part = context.state_read(k, offset=6, length=5)
                context.state_write(k, b"J", offset=0)
                whole = context.state_read(k)
                gap = context.state_write(k + ".gap", b"\xff", offset=3)
                gap_bytes = list(context.state_read(k + ".gap"))
                existed = context.state_delete(k + ".gap")
                try:
                    context.state_read("bad key!")
                    bad = "no error"
                except Exception as error:
                    bad = str(error)
                return {"size": size, "part": part.decode(), "whole": whole.decode(), "gap": gap, "gapBytes": gap_bytes,
                        "existed": existed, "after": context.state_size(k + ".gap"), "bad": bad}
            """,
    };

    private static readonly Dictionary<string, string> Node = new()
    {
        ["st.js"] = """
            module.exports = (params, ctx) => {
              const k = params.key;
              ctx.state.write(k, Buffer.from('hello'));
              const size = ctx.state.append(k, ' world');
              const part = ctx.state.read(k, { offset: 6, length: 5 });
              ctx.state.write(k, 'J', 0);
              const whole = ctx.state.read(k);
              const gap = ctx.state.write(`${k}.gap`, new Uint8Array([255]), 3);
              const gapBytes = [...ctx.state.read(`${k}.gap`)];
              const existed = ctx.state.delete(`${k}.gap`);
              let bad = 'no error';
              try { ctx.state.read('bad key!'); } catch (error) { bad = error.message; }
              return { size, part: part.toString(), whole: whole.toString(), gap, gapBytes, existed, after: ctx.state.size(`${k}.gap`), bad };
            };
            """,
    };

    private readonly TestPool _pool = new();
    private readonly StateStoreFile _file = new();
    private IFleetStore _store = null!;

    public async ValueTask InitializeAsync() => _store = await _file.MigratedAsync();

    public async ValueTask DisposeAsync()
    {
        await _pool.DisposeAsync();
        await _file.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(ExecutorTests.AllRuntimes), MemberType = typeof(ExecutorTests))]
    public async Task A_function_writes_appends_reads_and_deletes_its_state_through_the_wrappers(string runtime)
    {
        var function = runtime == RuntimeNames.Python ? _pool.Deploy(runtime, "st.work", Python) : _pool.Deploy(runtime, "st.js", Node);
        var state = new StateHostCalls(_store.State, function.Namespace, StoreOptions.DefaultMaxStateValueBytes, UnavailableHostCalls.Instance, NullLogger.Instance);

        var execution = await _pool.Pool.InvokeAsync(
            function, CallRequest.Json("""{"key": "counter"}""", returnOutput: false) with { HostCalls = state }, TestContext.Current.CancellationToken);

        ExecutorTests.AssertSucceeded(execution);
        Assert.Equal(Normal(Expected), Normal(execution.Result));
        Assert.Equal("Jello world"u8.ToArray(), await _store.State.ReadAsync(function.Namespace, "counter", TestContext.Current.CancellationToken));
    }

    private static string Normal(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
