using System.Diagnostics;

namespace Fleet.Bench;

internal static class Scenarios
{
    public const string PythonNoop = "def handler(params, context):\n    return params\n";
    public const string NodeNoop = "module.exports = (params, ctx) => params;\n";

    public const string FaasmEcho = """
        from pyfaasm.core import get_input_len, read_input, write_output

        def faasm_main():
            write_output(read_input(get_input_len()))
            return 0
        """;

    /// <summary>Round trips (ms) of <paramref name="calls"/> sequential sync calls to a new function, after 200 untimed ones.</summary>
    public static async Task<double[]> WarmSyncAsync(BenchApi api, int calls)
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

        return samples;
    }

    /// <summary>Faasm's API: an echo uploaded as Python (PUT /p/), warmed, then called one after another (POST /).</summary>
    public static async Task<double[]> FaasmWarmSyncAsync(HttpClient http, int calls)
    {
        var user = Unique("bench");
        await FaasmUploadAsync(http, $"/p/{user}/echo", new StringContent(FaasmEcho));
        return await FaasmSamplesAsync(http, user, calls);
    }

    /// <summary>Faasm's API: the SDK's echo demo uploaded as WebAssembly (PUT /f/), warmed, then called one after another.</summary>
    public static async Task<double[]> FaasmWasmWarmSyncAsync(HttpClient http, byte[] module, int calls)
    {
        var user = Unique("bench");
        await FaasmUploadAsync(http, $"/f/{user}/echo", new ByteArrayContent(module));
        return await FaasmSamplesAsync(http, user, calls);
    }

    /// <summary>
    /// The first call of a newly uploaded module, five times, each a module of its own (the echo with a custom section
    /// of its own, so that its package is new to the store and the worker), a second apart so that the worker has
    /// replaced the spare the one before took: its round trip and the instance start the gateway reports (Fleet's
    /// X-Fleet-Init-Time header, what Serverledge calls InitTime), in ms.
    /// </summary>
    public static async Task<(double[] RoundTrips, double[] Starts)> FaasmWasmFirstCallsAsync(HttpClient http, byte[] module)
    {
        var (roundTrips, starts) = (new double[5], new double[5]);
        for (var i = 0; i < roundTrips.Length; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var user = Unique("benchcold");
            await FaasmUploadAsync(http, $"/f/{user}/echo", new ByteArrayContent([.. module, .. CustomSection(Guid.NewGuid().ToByteArray())]));
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync("/", new StringContent(
                $$"""{"user": "{{user}}", "function": "echo", "input_data": "Hello API"}""", System.Text.Encoding.UTF8, "application/json"));
            roundTrips[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            response.EnsureSuccessStatusCode();
            starts[i] = double.Parse(response.Headers.GetValues("X-Fleet-Init-Time").Single(), System.Globalization.CultureInfo.InvariantCulture) * 1000;
        }

        return (roundTrips, starts);
    }

    /// <summary>The SDK's echo demo built with sdk/faasm/fleet-wasm-cc (clang-14 and wasi-libc).</summary>
    public static byte[] BuildWasmEcho(string repositoryRoot)
    {
        var sdk = Path.Combine(repositoryRoot, "sdk", "faasm");
        var output = Path.Combine(Path.GetTempPath(), $"fleet-bench-echo-{Guid.NewGuid():N}.wasm");
        using var build = Process.Start(Path.Combine(sdk, "fleet-wasm-cc"), ["-o", output, Path.Combine(sdk, "demo", "echo.cpp")]);
        build.WaitForExit();
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException("fleet-wasm-cc could not build the echo demo (are clang-14, lld-14 and wasi-libc installed?)");
        }

        var module = File.ReadAllBytes(output);
        File.Delete(output);
        return module;
    }

    private static async Task FaasmUploadAsync(HttpClient http, string path, HttpContent content)
    {
        using var upload = await http.PutAsync(path, content);
        upload.EnsureSuccessStatusCode();
    }

    /// <summary>Round trips (ms) of <paramref name="calls"/> sequential calls of user's echo, after <paramref name="warmUp"/> untimed ones.</summary>
    private static async Task<double[]> FaasmSamplesAsync(HttpClient http, string user, int calls, int warmUp = 200)
    {
        var message = $$"""{"user": "{{user}}", "function": "echo", "input_data": "Hello API"}""";
        async Task CallAsync()
        {
            using var response = await http.PostAsync("/", new StringContent(message, System.Text.Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }

        for (var i = 0; i < warmUp; i++)
        {
            await CallAsync();
        }

        var samples = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await CallAsync();
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return samples;
    }

    /// <summary>A WebAssembly custom section named "fleet-bench" holding <paramref name="payload"/> (under 128 bytes).</summary>
    private static byte[] CustomSection(byte[] payload)
    {
        var name = "fleet-bench"u8.ToArray();
        byte[] content = [(byte)name.Length, .. name, .. payload];
        return [0, (byte)content.Length, .. content];
    }

    public static double Median(IEnumerable<double> samples) => Percentile([.. samples.Order()], 0.50);

    public static (double P50Ms, double P99Ms) P50P99(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return (Percentile(sorted, 0.50), Percentile(sorted, 0.99));
    }

    /// <summary>
    /// Calls submitted by <paramref name="clients"/> concurrent clients, each waiting for its reply (the ReqId) before the next,
    /// after an untimed burst of 500 that starts the function's instances. The clock stops at the last call's completion:
    /// its submission time plus the ResponseTime its poll reports (gateway receipt to outcome), so the polls, made
    /// afterwards, do not count. Any failed call fails the run.
    /// </summary>
    /// <param name="pausePid">
    /// Drain mode: this process (the scheduler) is stopped (SIGSTOP) while the calls are submitted and continued
    /// (SIGCONT) after, and the clock runs from then to the last completion, so the submitting is not counted.
    /// </param>
    public static async Task<double> AsyncThroughputAsync(BenchApi api, int calls, int clients, int? pausePid = null)
    {
        var name = Unique("benchasync");
        await api.CreateAsync(name, "python310", "noop.handler", "noop.py", PythonNoop);

        // Steady state, as Celery's pool is: the function's instances are up on every worker before the clock starts.
        var warmUp = new string[Math.Min(calls, 500)];
        await ForEachAsync(warmUp.Length, clients, async i => warmUp[i] = await api.SubmitAsync(name));
        foreach (var id in warmUp)
        {
            await api.WaitDoneAsync(id, pollInterval: TimeSpan.FromMilliseconds(20));
        }

        var ids = new string[calls];
        var submitted = new double[calls];
        Signal(pausePid, "STOP");
        var started = Stopwatch.GetTimestamp();
        var resumed = 0.0;
        try
        {
            await ForEachAsync(calls, clients, async i =>
            {
                submitted[i] = Stopwatch.GetElapsedTime(started).TotalSeconds;
                ids[i] = await api.SubmitAsync(name);
            });
        }
        finally
        {
            // Continued even when a submit failed: a scheduler left stopped would stop the fleet.
            if (pausePid is not null)
            {
                resumed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                Signal(pausePid, "CONT");
            }
        }

        // One client waits for the last call submitted (the queues are first in, first out) before all are collected,
        // so that polling does not take the machine from the calls it measures.
        await api.WaitDoneAsync(ids[^1], pollInterval: TimeSpan.FromMilliseconds(20));
        var completed = new double[calls];
        var failed = 0;
        await ForEachAsync(calls, clients, async i =>
        {
            var outcome = await api.WaitDoneAsync(ids[i]);
            if (!outcome.GetProperty("Success").GetBoolean())
            {
                Interlocked.Increment(ref failed);
            }

            completed[i] = submitted[i] + outcome.GetProperty("ResponseTime").GetDouble();
        });
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {calls} async calls failed");
        }

        return calls / (completed.Max() - resumed);
    }

    private static void Signal(int? pid, string signal)
    {
        if (pid is not null)
        {
            using var kill = Process.Start("kill", $"-{signal} {pid}");
            kill.WaitForExit();
        }
    }

    /// <summary>Runs <paramref name="body"/> for 0..count-1 on <paramref name="workers"/> concurrent loops.</summary>
    private static Task ForEachAsync(int count, int workers, Func<int, Task> body)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await body(i);
            }
        }));
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
