using System.Text.Json;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Host calls on the distributed fleet, created and called through the Serverledge API: state kept in PostgreSQL
/// between calls (Python and Node), and chained calls on one worker of one slot, which a waiting parent gives back.
/// </summary>
[Collection(nameof(SingleSlotCollection))]
public sealed class HostCallTests(SingleSlotCluster fleet)
{
    private static readonly Dictionary<string, string> Python = new()
    {
        ["host.py"] = """
            def count(params, context):
                key = params["key"]
                before = context.state_read(key)
                n = (int(before) if before is not None else 0) + 1
                context.state_write(key, str(n))
                size = context.state_append(key + ".log", "%d;" % n)
                return {"n": n, "log": context.state_read(key + ".log").decode(), "size": size, "tail": context.state_read(key + ".log", offset=size - 2).decode()}

            def double(params, context):
                return {"doubled": int(params["n"]) * 2}

            def parent(params, context):
                child = context.invoke(params["child"], {"n": params["n"]})
                return {"status": child["status"], "plusOne": child["output"]["doubled"] + 1, "returnCode": child["returnCode"]}

            def deep(params, context):
                depth = params.get("depth", 0)
                try:
                    return context.invoke(params["self"], {"self": params["self"], "depth": depth + 1})["output"]
                except Exception as error:
                    return {"deepest": depth, "error": str(error)}

            def missing(params, context):
                try:
                    context.invoke("no-such-function-here")
                    return "invoked"
                except Exception as error:
                    return str(error)
            """,
    };

    private static readonly Dictionary<string, string> Node = new()
    {
        ["host.js"] = """
            module.exports = (params, ctx) => {
              const seen = ctx.state.read(params.key);
              const n = (seen === null ? 0 : Number(seen.toString())) + 1;
              ctx.state.write(params.key, String(n));
              ctx.state.append(`${params.key}.log`, Buffer.from([n]));
              return { n, log: [...ctx.state.read(`${params.key}.log`)], size: ctx.state.size(params.key) };
            };
            """,
    };

    private readonly ServerledgeApi _api = new(fleet.Gateway);

    [Fact]
    public async Task A_python_function_keeps_state_between_calls()
    {
        var name = ServerledgeApi.UniqueName("count");
        await _api.CreateOkAsync(name, "python310", "host.count", Python);
        var key = $"counter-{Guid.NewGuid():N}";

        var first = ServerledgeApi.ResultOf(await _api.InvokeOkAsync(name, new { Params = new { key } }));
        var second = ServerledgeApi.ResultOf(await _api.InvokeOkAsync(name, new { Params = new { key } }));

        Assert.Equal(("1", "1;", 2, "1;"), (first.GetProperty("n").ToString(), first.GetProperty("log").GetString(), first.GetProperty("size").GetInt32(), first.GetProperty("tail").GetString()));
        Assert.Equal(("2", "1;2;", 4, "2;"), (second.GetProperty("n").ToString(), second.GetProperty("log").GetString(), second.GetProperty("size").GetInt32(), second.GetProperty("tail").GetString()));
    }

    [Fact]
    public async Task A_node_function_uses_state_synchronously_between_calls()
    {
        var name = ServerledgeApi.UniqueName("ncount");
        await _api.CreateOkAsync(name, "nodejs17ng", "host.js", Node);
        var key = $"counter-{Guid.NewGuid():N}";

        var first = ServerledgeApi.ResultOf(await _api.InvokeOkAsync(name, new { Params = new { key } }));
        var second = ServerledgeApi.ResultOf(await _api.InvokeOkAsync(name, new { Params = new { key } }));

        Assert.Equal("""{"n":1,"log":[1],"size":1}""", JsonSerializer.Serialize(first));
        Assert.Equal("""{"n":2,"log":[1,2],"size":1}""", JsonSerializer.Serialize(second));
    }

    [Fact]
    public async Task A_parent_invokes_a_child_on_the_one_slot_and_uses_its_result()
    {
        var child = ServerledgeApi.UniqueName("double");
        var parent = ServerledgeApi.UniqueName("parent");
        await _api.CreateOkAsync(child, "python310", "host.double", Python);
        await _api.CreateOkAsync(parent, "python310", "host.parent", Python, timeout: 60);

        var result = ServerledgeApi.ResultOf(await _api.InvokeOkAsync(parent, new { Params = new { child, n = 20 } }));

        Assert.Equal("""{"status":"succeeded","plusOne":41,"returnCode":0}""", JsonSerializer.Serialize(result));
    }

    [Fact]
    public async Task A_function_invoking_itself_stops_at_the_depth_bound_and_every_level_completes()
    {
        var name = ServerledgeApi.UniqueName("deep");
        await _api.CreateOkAsync(name, "python310", "host.deep", Python, timeout: 100);

        var result = ServerledgeApi.ResultOf(await _api.InvokeOkAsync(name, new { Params = new { self = name } }));

        Assert.Equal("""{"deepest":8,"error":"invoke: calls may be chained at most 8 deep"}""", JsonSerializer.Serialize(result));
    }

    [Fact]
    public async Task Invoking_a_function_that_does_not_exist_is_an_exception_in_the_caller()
    {
        var name = ServerledgeApi.UniqueName("missing");
        await _api.CreateOkAsync(name, "python310", "host.missing", Python);

        var report = await _api.InvokeOkAsync(name, new { Params = new { } });

        Assert.Equal("\"invoke: no function no-such-function-here\"", report.GetProperty("Result").GetString());
    }
}

/// <summary>One worker with one slot (and the default shared queue).</summary>
public sealed class SingleSlotCluster : FleetCluster
{
    protected override int WorkerCount => 1;

    protected override int WorkerSlots => 1;
}

[CollectionDefinition(nameof(SingleSlotCollection))]
public sealed class SingleSlotCollection : ICollectionFixture<SingleSlotCluster>;
