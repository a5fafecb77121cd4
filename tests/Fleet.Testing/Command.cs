using System.Diagnostics;

namespace Fleet.Testing;

/// <summary>Runs a program the native servers are driven with; a non-zero exit is an error with the program's output.</summary>
internal static class Command
{
    public static async Task RunAsync(string command, params string[] arguments)
    {
        var info = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
        }
    }

    /// <summary>A variable test.sh sets beside the server it names; missing, the test fails (it never skips).</summary>
    public static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: test.sh sets it beside the server variables it exports.");
}
