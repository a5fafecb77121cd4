using System.Globalization;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>The standalone's bus lives in its memory, yet a call it accepted survives a kill -9 and runs after the restart.</summary>
public sealed class StandaloneCrashTests(StandaloneFleet fleet) : IClassFixture<StandaloneFleet>
{
    private static readonly Dictionary<string, string> Slow = new()
    {
        ["slow.py"] = """
            import time

            def work(params, context):
                time.sleep(0.5)
                return int(params["n"]) * 2
            """,
    };

    [Fact]
    public async Task Async_calls_accepted_before_a_kill_9_complete_after_the_restart()
    {
        var api = new ServerledgeApi(fleet.Authorized);
        var name = ServerledgeApi.UniqueName("slow");
        await api.CreateOkAsync(name, "python310", "slow.work", Slow);
        var ids = new List<(string Id, int N)>();
        for (var n = 0; n < 12; n++)
        {
            ids.Add((await api.InvokeAsyncCallAsync(name, new() { ["n"] = n.ToString(CultureInfo.InvariantCulture) }), n));
        }

        await fleet.KillAndRestartAsync();

        var after = new ServerledgeApi(fleet.Authorized);
        foreach (var (id, n) in ids)
        {
            var report = await after.PollUntilDoneAsync(id, TimeSpan.FromSeconds(60));
            Assert.True(report.GetProperty("Success").GetBoolean(), $"{id}: {report.GetRawText()}");
            Assert.Equal((n * 2).ToString(CultureInfo.InvariantCulture), report.GetProperty("Result").GetString());
        }
    }
}
