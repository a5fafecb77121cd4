using System.Diagnostics;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>The local Docker engine through its command-line client (images built and containers looked at by the tests).</summary>
internal static class DockerCli
{
    /// <summary>The client's stdout; it must exit with 0.</summary>
    public static Task<string> RunAsync(params string[] arguments) => ClientPrograms.RunAsync("docker", arguments);

    /// <summary>Runs a clean-up command whose failure (nothing to remove) does not matter; returns its stdout.</summary>
    public static async Task<string> TryAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("docker", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output;
    }

    /// <summary>Ids of the containers (running or not) with the label <paramref name="label"/> (key=value).</summary>
    public static async Task<IReadOnlyList<string>> ContainersAsync(string label) =>
        (await TryAsync("ps", "-aq", "--no-trunc", "--filter", $"label={label}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Removes the containers with the label, whatever state they are in.</summary>
    public static async Task RemoveContainersAsync(string label)
    {
        foreach (var id in await ContainersAsync(label))
        {
            await TryAsync("rm", "-f", id);
        }
    }
}
