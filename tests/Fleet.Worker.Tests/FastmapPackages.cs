using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fleet.Worker.Tests;

/// <summary>
/// What Fastmap's client makes and reads (packages, batches, replies), made by Fastmap/fastmap_packages.py with Debian's
/// dill and msgpack: pickles are only ever made and opened by Python, as they are in production.
/// </summary>
internal static class FastmapPackages
{
    /// <summary>Debian's interpreter, the one python3-dill and python3-msgpack are installed for (the worker's default).</summary>
    private const string Python = "/usr/bin/python3";

    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Fastmap", "fastmap_packages.py");

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The package the core would store for the request (see the script's "package" op), and the Python that pickled it.</summary>
    public static async Task<(byte[] Package, string PythonVersion)> PackageAsync(JsonObject request)
    {
        request["op"] = "package";
        var answer = await RunAsync(request);
        return (Convert.FromBase64String(answer.GetProperty("package").GetString()!), answer.GetProperty("python").GetString()!);
    }

    /// <summary>A batch as the client sends it: gzip of a dill pickle of the Python expression's value.</summary>
    public static async Task<byte[]> BatchAsync(string expression)
    {
        var answer = await RunAsync(new JsonObject { ["op"] = "batch", ["expr"] = expression });
        return Convert.FromBase64String(answer.GetProperty("batch").GetString()!);
    }

    /// <summary>The executor's msgpack reply as JSON, with "results" the repr of the unpickled list.</summary>
    public static Task<JsonElement> DecodeAsync(byte[] output) =>
        RunAsync(new JsonObject { ["op"] = "decode", ["output"] = Convert.ToBase64String(output) });

    private static async Task<JsonElement> RunAsync(JsonObject request)
    {
        var start = new ProcessStartInfo(Python, [Script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.StandardInput.WriteAsync(request.ToJsonString().AsMemory(), timeout.Token);
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"fastmap_packages.py {request["op"]} exited with {process.ExitCode}: {await stderr}");
        }

        using var answer = JsonDocument.Parse(await stdout);
        return answer.RootElement.Clone();
    }
}
