using System.Diagnostics;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>Clients the tests run as their users run them: a program, its arguments, its output.</summary>
public static class ClientPrograms
{
    /// <summary>
    /// Longer than any scenario runs: a client that waits on an answer that never comes fails the test with what it had
    /// printed, instead of hanging it until the run's hang timeout.
    /// </summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <summary>A client program's stdout; it must exit with 0 (its stderr and stdout are the failure's message).</summary>
    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not end within {Limit}: {await errors}{await output}");
        }

        Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {await errors}{await output}");
        return await output;
    }

    /// <summary>One scenario of Fastmap's (tests/fastmap/scenarios.py, our own Python client) against the gateway: its output.</summary>
    public static Task<string> FastmapScenarioAsync(Uri gateway, string scenario, params string[] arguments) =>
        RunAsync("/usr/bin/python3", [Path.Combine(RepoPaths.Root, "tests", "fastmap", "scenarios.py"), gateway.ToString().TrimEnd('/'), scenario, .. arguments]);
}
