using System.Diagnostics;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>Clients the tests run as their users run them: a program, its arguments, its output.</summary>
public static class ClientPrograms
{
    /// <summary>A client program's stdout; it must exit with 0 (its stderr and stdout are the failure's message).</summary>
    public static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{program} failed ({process.ExitCode}): {await errors}{await output}");
        return await output;
    }
}
