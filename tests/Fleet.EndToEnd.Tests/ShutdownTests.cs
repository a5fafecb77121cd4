using System.Diagnostics;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>SIGTERM ends a service within its drain (plus the host's grace), however long its running calls would take.</summary>
public sealed class ShutdownTests(DrainingStandalone fleet) : IClassFixture<DrainingStandalone>
{
    private static readonly Dictionary<string, string> Sleepy = new()
    {
        ["sleepy.py"] = """
            import time

            def work(params, context):
                time.sleep(600)
                return 1
            """,
    };

    [Fact]
    public async Task SIGTERM_ends_the_standalone_soon_after_its_drain_while_a_ten_minute_call_runs_which_is_answered_500()
    {
        var api = new ServerledgeApi(fleet.Anonymous);
        var name = ServerledgeApi.UniqueName("sleepy");
        await api.CreateOkAsync(name, "python310", "sleepy.work", Sleepy, timeout: 900);
        var call = api.InvokeAsync(name, new { });
        await WaitForAsync(() => SandboxesOf(fleet.Directory, fleet.Process.Id) > 0, "the call's instance never started");

        var stopping = Stopwatch.StartNew();
        var exitCode = await fleet.Process.StopAsync(TimeSpan.FromSeconds(120));
        stopping.Stop();

        Assert.Equal(0, exitCode);
        Assert.InRange(stopping.Elapsed, TimeSpan.FromSeconds(DrainingStandalone.DrainSeconds), TimeSpan.FromSeconds(DrainingStandalone.DrainSeconds + 15));
        using (var answered = await call)
        {
            Assert.Equal(System.Net.HttpStatusCode.InternalServerError, answered.StatusCode);
        }

        await WaitForAsync(() => SandboxesOf(fleet.Directory, fleet.Process.Id) == 0, "sandboxes outlived the standalone");
        Assert.Empty(Directory.GetDirectories(Path.Combine(fleet.Directory, "work", "runs")));
    }

    /// <summary>Processes other than the standalone whose command line names its folder (its instances' launchers and sandboxes).</summary>
    private static int SandboxesOf(string directory, int standalone) =>
        Directory.GetDirectories("/proc").Count(process =>
        {
            try
            {
                return int.TryParse(Path.GetFileName(process), out var pid) && pid != standalone
                    && File.ReadAllText(Path.Combine(process, "cmdline")).Contains(directory, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        });

    private static async Task WaitForAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
        }
    }
}
