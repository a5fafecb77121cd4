using System.Diagnostics;

namespace Fleet.Bench;

internal static class Scenarios
{
    public const string PythonNoop = "def handler(params, context):\n    return params\n";
    public const string NodeNoop = "module.exports = (params, ctx) => params;\n";

    public static async Task<(double P50Ms, double P99Ms)> WarmSyncAsync(BenchApi api, int calls)
    {
        var name = Unique("benchsync");
        await api.CreateAsync(name, "python310", "noop.handler", "noop.py", PythonNoop);
        for (var i = 0; i < 200; i++)
        {
            await api.InvokeAsync(name);
        }

        var samples = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await api.InvokeAsync(name);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(samples);
        return (Percentile(samples, 0.50), Percentile(samples, 0.99));
    }

    /// <summary>Calls submitted by 64 concurrent clients; the clock stops when the last result is pollable.</summary>
    public static async Task<double> AsyncThroughputAsync(BenchApi api, int calls)
    {
        var name = Unique("benchasync");
        await api.CreateAsync(name, "python310", "noop.handler", "noop.py", PythonNoop);
        await api.InvokeAsync(name);

        var ids = new string[calls];
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < calls)
            {
                ids[i] = await api.SubmitAsync(name);
            }
        }));
        foreach (var id in ids)
        {
            await api.WaitDoneAsync(id);
        }

        return calls / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    public static async Task<double> ColdStartAsync(BenchApi api, string runtime, string handler, string code)
    {
        var file = runtime.StartsWith("python", StringComparison.Ordinal) ? "noop.py" : "noop.js";
        var samples = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var name = Unique("benchcold");
            await api.CreateAsync(name, runtime, handler, file, code);
            var report = await api.InvokeAsync(name);
            samples.Add(report.GetProperty("InitTime").GetDouble() * 1000);
        }

        samples.Sort();
        return samples[samples.Count / 2];
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string Unique(string stem) => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];
}
