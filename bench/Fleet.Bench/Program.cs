using System.Globalization;
using System.Text.Json;
using Fleet.Bench;

// Measures a running gateway (Serverledge API): warm sync latency, async throughput, cold starts; and Faasm's API: a
// Python echo's and the SDK's WebAssembly echo's warm latency (--faasm N calls each, 1000 by default; 0 skips them),
// beside Serverledge's in the same run, and the first call of a newly uploaded module.
// Usage: Fleet.Bench <gateway-url> [--sync N] [--async N] [--clients N] [--faasm N] [--celery celery.json]
//                    [--sync-samples FILE] [--celery-sync-samples FILE] [--only-sync]
//                    [--async-samples FILE] [--celery-rate-samples FILE] [--only-async]
//                    [--fastmap-samples FILE --celery-chunks-samples FILE]
//                    [--dcp-samples FILE --dcp-fetch-samples FILE --celery-group-samples FILE]
// --clients: concurrent submitters of async calls (default 256). Each waits for its 200, which the gateway sends once
//   the broker holds the call on disk, before the next submit; Celery's group send waits for nothing. With too few
//   submitters their waiting, not the fleet, sets the pace (on the 2-core machine 64 gave 1600-2000 calls/s, 128 and
//   more 2100-2600).
// --sync-samples: each sync round trip is appended to FILE, and the reported percentiles cover every sample in it, so
//   rounds taken in turn with Celery's (--celery-sync-samples, from bench.py --samples) meet the same machine.
// --async-samples: each throughput run is appended to FILE, and the reported figure is the median of every run in it;
//   with Celery's runs (--celery-rate-samples, from bench.py --rate-samples) taken in turn.
// --drain-pause-pid PID: drain mode for a throughput round: PID (the scheduler) is stopped while the calls are submitted,
//   and the clock runs from its continuing to the last completion, so the submitting is not counted.
// --drain-samples / --celery-drain-samples: Fleet's and Celery's drain rounds (Celery's from bench.py --drain), whose
//   medians are reported for reference beside the ratio.
// --fastmap-samples / --celery-chunks-samples: items/s of Fastmap's batched /map (bench/fastmap_bench.py --samples) and
//   of Celery's chunks of the same size (bench.py --chunks-samples), taken in turn; their medians and ratio are reported.
// --dcp-samples / --celery-group-samples: slices/s of a DCP job of trivial JavaScript work (bench/dcp_bench.py
//   --samples) and tasks/s of one Celery group of as many trivial tasks (bench.py --rate-samples), taken in turn; their
//   medians and ratio are reported, with the median time to fetch 1,000 results by range (--dcp-fetch-samples).
// --only-sync / --only-async: measure one round of that part only. --sync 0 and --async 0 skip those parts.
var gateway = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:8080");
var syncCalls = Option("--sync", 2000);
var asyncCalls = Option("--async", 5000);
var clients = Option("--clients", 256);
var celeryFile = OptionText("--celery");
var syncSamplesFile = OptionText("--sync-samples");
var drainSamplesFile = OptionText("--drain-samples");
var celeryDrainSamplesFile = OptionText("--celery-drain-samples");
var celerySyncSamplesFile = OptionText("--celery-sync-samples");
var asyncSamplesFile = OptionText("--async-samples");
var celeryRateSamplesFile = OptionText("--celery-rate-samples");
var fastmapSamplesFile = OptionText("--fastmap-samples");
var celeryChunksSamplesFile = OptionText("--celery-chunks-samples");
var dcpSamplesFile = OptionText("--dcp-samples");
var dcpFetchSamplesFile = OptionText("--dcp-fetch-samples");
var celeryGroupSamplesFile = OptionText("--celery-group-samples");
var onlySync = args.Contains("--only-sync");
var onlyAsync = args.Contains("--only-async");

using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(120) };
var api = new BenchApi(http);

var syncSamples = syncCalls > 0 && !onlyAsync ? await Scenarios.WarmSyncAsync(api, syncCalls) : [];
if (syncSamplesFile is not null)
{
    await File.AppendAllLinesAsync(syncSamplesFile, syncSamples.Select(s => s.ToString("F4", CultureInfo.InvariantCulture)));
    syncSamples = ReadSamples(syncSamplesFile);
}

if (onlySync)
{
    Report.Line("fleet warm sync p50 (so far)", Scenarios.P50P99(syncSamples).P50Ms, "ms");
    return;
}

var sync = syncSamples.Length > 0 ? Scenarios.P50P99(syncSamples) : (P50Ms: double.NaN, P99Ms: double.NaN);
if (!onlyAsync)
{
    Report.Line("fleet warm sync p50", sync.P50Ms, "ms");
    Report.Line("fleet warm sync p99", sync.P99Ms, "ms");
}

var pausePid = OptionText("--drain-pause-pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : (int?)null;
double[] throughputs = asyncCalls > 0 ? [await Scenarios.AsyncThroughputAsync(api, asyncCalls, clients, pausePid)] : [];
if (asyncSamplesFile is not null)
{
    await File.AppendAllLinesAsync(asyncSamplesFile, throughputs.Select(s => s.ToString("F1", CultureInfo.InvariantCulture)));
    throughputs = ReadSamples(asyncSamplesFile);
}

if (onlyAsync)
{
    Report.Line(pausePid is null ? "fleet async completed (this round)" : "fleet drain (this round)", throughputs[^1], "calls/s");
    return;
}

var throughput = throughputs.Length > 0 ? Scenarios.Median(throughputs) : double.NaN;
Report.Line($"fleet async completed (median of {throughputs.Length})", throughput, "calls/s");

var faasmCalls = Option("--faasm", 1000);
if (faasmCalls > 0)
{
    var faasm = Scenarios.P50P99(await Scenarios.FaasmWarmSyncAsync(http, faasmCalls));
    Report.Line("fleet faasm python echo warm p50", faasm.P50Ms, "ms");
    Report.Line("fleet faasm python echo warm p99", faasm.P99Ms, "ms");
    Report.Line("ratio faasm python p50 / serverledge python p50", faasm.P50Ms / sync.P50Ms, "x");

    var echo = Scenarios.BuildWasmEcho(RepositoryRoot());
    var wasm = Scenarios.P50P99(await Scenarios.FaasmWasmWarmSyncAsync(http, echo, faasmCalls));
    Report.Line("fleet faasm wasm echo warm p50", wasm.P50Ms, "ms");
    Report.Line("fleet faasm wasm echo warm p99", wasm.P99Ms, "ms");
    Report.Line("ratio faasm wasm p50 / serverledge python p50 (target <= 1)", wasm.P50Ms / sync.P50Ms, "x");
    var (firstCalls, starts) = await Scenarios.FaasmWasmFirstCallsAsync(http, echo);
    var wasmCold = Scenarios.Median(starts);
    Report.Line("fleet faasm wasm first call of a new module (median of 5)", Scenarios.Median(firstCalls), "ms");
    Report.Line("fleet cold start wasm (median of 5, InitTime; target < 5)", wasmCold, "ms");
}

var pythonCold = await Scenarios.ColdStartAsync(api, "python310", "noop.handler", Scenarios.PythonNoop);
Report.Line("fleet cold start python (median of 5, InitTime)", pythonCold, "ms");
var nodeCold = await Scenarios.ColdStartAsync(api, "nodejs17ng", "noop.js", Scenarios.NodeNoop);
Report.Line("fleet cold start node (median of 5, InitTime)", nodeCold, "ms");

if (celeryFile is not null)
{
    var celery = JsonDocument.Parse(await File.ReadAllTextAsync(celeryFile)).RootElement;
    var (celeryP50, celeryP99) = celerySyncSamplesFile is not null
        ? Scenarios.P50P99(ReadSamples(celerySyncSamplesFile))
        : (celery.GetProperty("sync_p50_ms").GetDouble(), celery.GetProperty("sync_p99_ms").GetDouble());
    var celeryRates = celeryRateSamplesFile is not null ? ReadSamples(celeryRateSamplesFile) : [celery.GetProperty("tasks_per_s").GetDouble()];
    var celeryRate = Scenarios.Median(celeryRates);
    Report.Line("celery sync p50", celeryP50, "ms");
    Report.Line("celery sync p99", celeryP99, "ms");
    Report.Line($"celery group throughput (median of {celeryRates.Length})", celeryRate, "tasks/s");
    Report.Line("ratio sync p50 fleet/celery (target <= 1)", sync.P50Ms / celeryP50, "x");
    Report.Line("ratio throughput fleet/celery (target >= 3)", throughput / celeryRate, "x");
    if (drainSamplesFile is not null && celeryDrainSamplesFile is not null)
    {
        var (drains, celeryDrains) = (ReadSamples(drainSamplesFile), ReadSamples(celeryDrainSamplesFile));
        var (drain, celeryDrain) = (Scenarios.Median(drains), Scenarios.Median(celeryDrains));
        Report.Line($"fleet drain, submitting not counted (median of {drains.Length})", drain, "calls/s");
        Report.Line($"celery drain, sending not counted (median of {celeryDrains.Length})", celeryDrain, "tasks/s");
        Report.Line("ratio drain fleet/celery (reference)", drain / celeryDrain, "x");
    }
}

if (fastmapSamplesFile is not null && celeryChunksSamplesFile is not null)
{
    var (maps, chunks) = (ReadSamples(fastmapSamplesFile), ReadSamples(celeryChunksSamplesFile));
    var (map, chunk) = (Scenarios.Median(maps), Scenarios.Median(chunks));
    Report.Line($"fleet fastmap map (median of {maps.Length})", map, "items/s");
    Report.Line($"celery chunks (median of {chunks.Length})", chunk, "items/s");
    Report.Line("ratio fastmap map / celery chunks (target >= 2)", map / chunk, "x");
}

if (dcpSamplesFile is not null && celeryGroupSamplesFile is not null)
{
    var (jobs, groups) = (ReadSamples(dcpSamplesFile), ReadSamples(celeryGroupSamplesFile));
    var (job, group) = (Scenarios.Median(jobs), Scenarios.Median(groups));
    Report.Line($"fleet dcp job slices (median of {jobs.Length})", job, "slices/s");
    Report.Line($"celery group of as many tasks (median of {groups.Length})", group, "tasks/s");
    Report.Line("ratio dcp slices / celery tasks (target >= 10)", job / group, "x");
    if (dcpFetchSamplesFile is not null)
    {
        Report.Line("fleet dcp fetch of 1,000 results by range (median)", Scenarios.Median(ReadSamples(dcpFetchSamplesFile)), "ms");
    }
}

Report.Line("target python cold start < 50 ms", pythonCold < 50 ? 1 : 0, pythonCold < 50 ? "met" : "missed");
return;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string? OptionText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Fleet.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Fleet.sln not found above the benchmark");
}

static double[] ReadSamples(string file) =>
    [.. File.ReadLines(file).Where(line => line.Length > 0).Select(line => double.Parse(line, CultureInfo.InvariantCulture))];
