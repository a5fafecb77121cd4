using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Fleet.Core.Fleet;
using Fleet.Core.Functions;
using Fleet.Core.Records;
using Microsoft.Extensions.Options;

namespace Fleet.Gateway.Facades.Fastmap;

/// <summary>
/// The life of Fastmap's functions and runs. A function is registered when its upload completes and prepared at once
/// (<see cref="FastmapOptions.PreparedInstances"/> instances started, their environment built), during which its
/// batches are answered <c>INITALIZING</c>. Each run (<c>run_id</c>) is a record that expires
/// <see cref="FastmapOptions.RunIdleSeconds"/> after its last batch; <c>/done</c> ends it, and a function is deleted
/// (its warm instances with it) once no run of it is live: at the last <c>/done</c>, or when the sweep finds it idle.
/// Records, not this process's memory, say what is live, so any gateway can answer any request of a run.
/// </summary>
internal sealed partial class FastmapRuns(
    FacadeRecords records, FunctionRegistry registry, FleetControl fleet, IOptions<FastmapOptions> options, ILogger<FastmapRuns> logger)
{
    private const string Space = "fastmap";

    /// <summary>
    /// How long a batch of a function being prepared waits for it before it is answered INITALIZING: the client then
    /// sleeps 5 s before it sends the batch again, so holding it for less is never slower.
    /// </summary>
    private static readonly TimeSpan PreparingHold = TimeSpan.FromSeconds(4);

    private readonly ConcurrentDictionary<FunctionRef, Task> _preparing = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _touched = new();

    private TimeSpan Idle => TimeSpan.FromSeconds(options.Value.RunIdleSeconds);

    /// <summary>
    /// Whether the function is still being prepared after a short wait for it (false too when this gateway is not
    /// preparing it: the batch's own call then starts an instance if none is up).
    /// </summary>
    public async Task<bool> StillPreparingAsync(FunctionRef function, CancellationToken cancellationToken)
    {
        if (!_preparing.TryGetValue(function, out var preparing))
        {
            return false;
        }

        await Task.WhenAny(preparing, Task.Delay(PreparingHold, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        return !preparing.IsCompleted;
    }

    /// <summary>Records the new function as used now, then starts its instances in the background.</summary>
    public async Task RegisteredAsync(string tenant, string funcHash, Fleet.Contracts.FunctionSpec spec, CancellationToken cancellationToken)
    {
        await UsedAsync(tenant, funcHash, cancellationToken);
        var function = FastmapFunctions.Ref(tenant, funcHash);
        if (options.Value.PreparedInstances <= 0)
        {
            return;
        }

        var prepared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_preparing.TryAdd(function, prepared.Task))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await fleet.PrewarmAsync(spec, options.Value.PreparedInstances, refreshPackage: false, CancellationToken.None);
            }
            catch (Exception error)
            {
                // The first batch starts an instance itself.
                LogPrepareFailed(logger, spec.Namespace, spec.Name, error.Message);
            }
            finally
            {
                _preparing.TryRemove(function, out _);
                prepared.SetResult();
            }
        }, CancellationToken.None);
    }

    /// <summary>A batch of the run arrived: the run and its function are live for another idle period (written at most every quarter of it).</summary>
    public async Task TouchAsync(string tenant, string funcHash, string runId, CancellationToken cancellationToken)
    {
        var key = RunKey(tenant, funcHash, runId);
        var now = records.Now;
        if (_touched.TryGetValue(key, out var last) && now - last < Idle / 4)
        {
            return;
        }

        await records.PutAsync(Space, key, [], Idle, cancellationToken);
        await UsedAsync(tenant, funcHash, cancellationToken);
        _touched[key] = now;
    }

    /// <summary>Ends the run; false when no such run is live. The function goes when it was its last live run.</summary>
    public async Task<bool> DoneAsync(string tenant, string funcHash, string runId, CancellationToken cancellationToken)
    {
        var key = RunKey(tenant, funcHash, runId);
        _touched.TryRemove(key, out _);
        if (!await records.DeleteAsync(Space, key, cancellationToken))
        {
            return false;
        }

        await ReleaseIfIdleAsync(tenant, funcHash, cancellationToken);
        return true;
    }

    /// <summary>One sweep: deletes the functions unused for an idle period that have no live run; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var released = 0;
        var now = records.Now;
        foreach (var record in await records.ListAsync(Space, "function/", 1000, cancellationToken))
        {
            var parts = record.Key.Split('/');
            if (parts.Length == 3 && IdleSince(record.Value, now) && await ReleaseIfIdleAsync(parts[1], parts[2], cancellationToken))
            {
                released++;
            }
        }

        foreach (var (key, touched) in _touched)
        {
            if (now - touched > Idle)
            {
                _touched.TryRemove(key, out _);
            }
        }

        return released;
    }

    /// <summary>
    /// Whether the function's last use (Unix seconds, <see cref="UsedAsync"/>) is an idle period ago; a value that is
    /// not such a time says nothing of its use, and counts as long ago: the function goes unless a run of it is live.
    /// </summary>
    private bool IdleSince(byte[] lastUse, DateTimeOffset now) =>
        !long.TryParse(Encoding.ASCII.GetString(lastUse), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        || now.ToUnixTimeSeconds() - seconds > Idle.TotalSeconds;

    private async Task<bool> ReleaseIfIdleAsync(string tenant, string funcHash, CancellationToken cancellationToken)
    {
        if ((await records.ListAsync(Space, $"run/{tenant}/{funcHash}/", 1, cancellationToken)).Count > 0)
        {
            return false;
        }

        await registry.DeleteAsync(FastmapFunctions.Ref(tenant, funcHash), cancellationToken);
        await records.DeleteAsync(Space, FunctionKey(tenant, funcHash), cancellationToken);
        return true;
    }

    private Task UsedAsync(string tenant, string funcHash, CancellationToken cancellationToken) =>
        records.PutAsync(Space, FunctionKey(tenant, funcHash),
            Encoding.ASCII.GetBytes(records.Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)), null, cancellationToken);

    private static string RunKey(string tenant, string funcHash, string runId) => $"run/{tenant}/{funcHash}/{runId}";

    private static string FunctionKey(string tenant, string funcHash) => $"function/{tenant}/{funcHash}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fastmap function {Namespace}/{Name} was not prepared ahead: {Reason}")]
    private static partial void LogPrepareFailed(ILogger logger, string @namespace, string name, string reason);
}

/// <summary>Every minute, deletes the Fastmap functions whose runs are all over (<see cref="FastmapRuns.SweepAsync"/>).</summary>
internal sealed partial class FastmapSweeper(FastmapRuns runs, ILogger<FastmapSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await runs.SweepAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogSweepFailed(logger, error.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fastmap sweep failed; the next one tries again: {Reason}")]
    private static partial void LogSweepFailed(ILogger logger, string reason);
}
