using System.Collections.Concurrent;
using Fleet.Contracts;
using Fleet.Storage.Packages;
using Fleet.Worker.Runtimes.Catalog;
using Fleet.Worker.Runtimes.Containers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Worker.Runtimes;

/// <summary>
/// The worker's warm pool of sandboxed executor instances, keyed by function name and generation. A call takes the
/// most recently used idle instance of its function, or cold-starts one when memory allows (evicting idle instances
/// of any function, least recently used first), or waits. Cancelling a call kills its instance and throws
/// <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class InstancePool : IAsyncDisposable
{
    private readonly WorkerOptions _options;
    private readonly ILogger<InstancePool> _logger;
    private readonly TimeProvider _time;
    private readonly PackageCache _packages;
    private readonly PoolLedger _ledger;
    private readonly SandboxProfile _profile;
    /// <summary>Spares by runtime name, one queue for each runtime that has them.</summary>
    private readonly Dictionary<string, ConcurrentQueue<ExecutorInstance>> _spares =
        RuntimeCatalog.Spares.ToDictionary(runtime => runtime.Name, _ => new ConcurrentQueue<ExecutorInstance>(), StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IInstance, Task> _evictions = new();
    private readonly ContainerEngine _engine;
    private readonly int _spareTarget;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _cleanup;
    private int _replenishing;
    private Task _replenisher = Task.CompletedTask;
    private volatile bool _disposed;
    private long _instanceCounter;
    private int _sparesClaimed;

    public InstancePool(
        IOptions<WorkerOptions> options, IOptions<PackageLimits> packageLimits, IBlobSource packages, ContainerEngine engine,
        ILogger<InstancePool> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(packageLimits);
        _options = options.Value;
        _logger = logger;
        _time = time;
        var run = WorkerRun.Name(_options.WorkerId);
        RunDirectory = WorkerRun.Directory(_options.DataDirectory, run);
        _profile = SandboxProfile.From(_options, run, RunDirectory);
        _packages = new PackageCache(Path.Combine(RunDirectory, "packages"), packages, packageLimits.Value, time, logger, _stopping.Token);
        _ledger = new PoolLedger(_options.MemoryBudgetMB, _options.MaxInstancesPerFunction);
        _engine = engine;
        Runtimes = [.. RuntimeCatalog.All.Select(runtime => runtime.Name), .. engine.IsAvailable ? [Fleet.Contracts.Runtimes.Custom] : Array.Empty<string>()];
        _logger.LimiterInForce(_profile.Limiter, _profile.Sandbox, _profile.DropPrivileges);
        if (!_profile.Sandbox)
        {
            _logger.SandboxDisabled();
        }

        // An earlier process of the same name (a container's worker is pid 1 at every start) left these behind.
        if (_profile.Limiter == LimiterKind.Cgroup)
        {
            CgroupSlice.DeleteRunAsync(_profile.RunId).GetAwaiter().GetResult();
        }

        CodeTree.Delete(RunDirectory);
        _cleanup = Task.Run(DeleteEndedRunsAsync);
        _spareTarget = _profile.Limiter == LimiterKind.Cgroup ? Math.Max(0, _options.SpareInstances) : 0;
        ReplenishSpares();
    }

    /// <summary>This run's own folder: its unpacked packages and its spares' code, removed when the pool is disposed.</summary>
    internal string RunDirectory { get; }

    internal string RunId => _profile.RunId;

    /// <summary>The runtimes this worker runs: the catalog's, and custom images when it has a container engine.</summary>
    public IReadOnlyList<string> Runtimes { get; }

    internal string SparesDirectory => Path.Combine(RunDirectory, "spares");

    /// <summary>Packages unpacked on this worker's disk now.</summary>
    internal int PackageCount => _packages.Count;

    /// <summary>Runs one json-handler call (Serverledge's) without host calls.</summary>
    public Task<Execution> InvokeAsync(FunctionSpec function, string paramsJson, bool returnOutput, CancellationToken cancellationToken) =>
        InvokeAsync(function, CallRequest.Json(paramsJson, returnOutput), cancellationToken);

    /// <summary>
    /// Runs a call (one input or a batch) in the convention it names. An instance keeps the convention it was started
    /// with; until FunctionSpec carries the convention, a call naming another than its warm instance's fails.
    /// </summary>
    public async Task<Execution> InvokeAsync(FunctionSpec function, CallRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(request);
        if ((Unrunnable(function) ?? Unknown(request.Convention)) is { } reason)
        {
            return Failed(reason, 0);
        }

        var key = new InstanceKey(function.Key, function.Generation);
        var instance = await AcquireAsync(key, function.MemoryMB, cancellationToken);
        var warm = instance is not null;
        var coldStart = 0.0;
        if (instance is null)
        {
            var started = _time.GetTimestamp();
            try
            {
                instance = await StartAsync(function, request.Convention, cancellationToken);
            }
            catch (Exception error) when (error is InstanceStartException or InvalidPackageException or FileNotFoundException)
            {
                _ledger.Unreserve(key, function.MemoryMB, busy: true);
                return Failed(error.Message, _time.GetElapsedTime(started).TotalSeconds);
            }
            catch
            {
                _ledger.Unreserve(key, function.MemoryMB, busy: true);
                throw;
            }

            coldStart = _time.GetElapsedTime(started).TotalSeconds;
        }

        Execution execution;
        try
        {
            execution = await instance.CallAsync(request, function.TimeoutSeconds, cancellationToken);
        }
        finally
        {
            if (_ledger.Return(instance, busy: true, _time.GetUtcNow()))
            {
                await StopAsync(instance, instance.Broken ? "call ended the instance" : "function retired");
            }
        }

        if (instance.Broken)
        {
            _logger.InstanceBroken(instance.Id, function.Name, execution.Status);
        }

        return execution with { IsWarmStart = warm, ColdStartSeconds = coldStart };
    }

    /// <summary>
    /// Fetches and unpacks the package (again when <paramref name="refreshPackage"/>), then starts up to
    /// <paramref name="instances"/> idle instances, evicting idle instances of other functions when memory runs out.
    /// Throws when the package is missing or invalid.
    /// </summary>
    public async Task<int> PrewarmAsync(FunctionSpec function, int instances, bool refreshPackage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (Unrunnable(function) is { } reason)
        {
            throw new ArgumentException(reason, nameof(function));
        }

        if (!IsCustom(function))
        {
            (await _packages.LeaseAsync(function.PackageHash, function.Generation, refreshPackage, cancellationToken)).Dispose();
        }

        var key = new InstanceKey(function.Key, function.Generation);
        var evicted = new List<IInstance>();
        var reserved = instances > 0 ? _ledger.ReserveForPrewarm(key, function.MemoryMB, instances, evicted) : 0;
        StopEvicted(evicted);
        var started = await Task.WhenAll(Enumerable.Range(0, reserved).Select(_ => PrewarmOneAsync(function, key, cancellationToken)));
        return started.Count(ok => ok);
    }

    /// <summary>
    /// Unpacks a newly registered function's package in the background when it is no larger than
    /// <see cref="WorkerOptions.PrefetchPackageBytes"/>, so that its first call finds it on disk; a failure only means
    /// the first call fetches it.
    /// </summary>
    public void Prefetch(string hash, string generation, long packageBytes)
    {
        if (_disposed || packageBytes > _options.PrefetchPackageBytes)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                using var lease = await _packages.LeaseAsync(hash, generation, refresh: false, _stopping.Token);
            }
            catch (Exception error) when (error is IOException or InvalidPackageException or OperationCanceledException
                or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                _logger.PrefetchFailed(hash, error);
            }
        });
    }

    /// <summary>
    /// The function generation was deleted: idle instances stop now, busy ones after their call, and its package leaves
    /// the disk once none of them holds it.
    /// </summary>
    public void Retire(string functionKey, string generation)
    {
        _packages.Retire(generation);
        _ = StopAllAsync(_ledger.Retire(new InstanceKey(functionKey, generation)), "function retired");
    }

    public PoolSnapshot Snapshot() => _ledger.Snapshot();

    /// <summary>Spares started and not yet claimed, of every runtime.</summary>
    internal int SpareCount => _spares.Values.Sum(queue => queue.Count);

    /// <summary>Cold starts served by a spare so far.</summary>
    internal int SparesClaimed => Volatile.Read(ref _sparesClaimed);

    /// <summary>Why the last spare was given up (exited, or its claim failed); for diagnosis.</summary>
    internal string LastSpareLoss { get; private set; } = "";

    /// <summary>Stops instances idle for longer than KeepAliveSeconds, and removes packages no instance has held as long.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = _time.GetUtcNow() - TimeSpan.FromSeconds(_options.KeepAliveSeconds);
        await StopAllAsync(_ledger.Expire(cutoff), "keep-alive expired");
        _packages.Sweep(cutoff);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopping.CancelAsync();
        await _replenisher;
        var spares = new List<IInstance>();
        foreach (var queue in _spares.Values)
        {
            while (queue.TryDequeue(out var spare))
            {
                spares.Add(spare);
            }
        }

        await StopAllAsync(spares, "pool disposed");
        await StopAllAsync(_ledger.TakeAll(), "pool disposed");
        await Task.WhenAll(_evictions.Values);
        await _cleanup;
        await _engine.RemoveContainersAsync(CancellationToken.None);
        if (_profile.Limiter == LimiterKind.Cgroup)
        {
            CgroupSlice.DeleteRunGroups(_profile.RunId);
        }

        CodeTree.Delete(RunDirectory);
        _stopping.Dispose();
    }

    private Execution Failed(string error, double coldStartSeconds) => new()
    {
        Status = InvocationStatus.Failed,
        Error = error,
        StartedAt = _time.GetUtcNow(),
        ColdStartSeconds = coldStartSeconds,
    };

    private static bool IsCustom(FunctionSpec function) => function.Runtime == Fleet.Contracts.Runtimes.Custom;

    private string? Unrunnable(FunctionSpec function) =>
        !Runtimes.Contains(function.Runtime) ? $"runtime '{function.Runtime}' is not supported"
        : IsCustom(function) && string.IsNullOrEmpty(function.CustomImage) ? "the function names no image"
        : function.MemoryMB > _options.MemoryBudgetMB ? $"function needs {function.MemoryMB} MB, the worker's budget is {_options.MemoryBudgetMB} MB"
        : null;

    private static string? Unknown(string convention) =>
        CallConventions.IsKnown(convention) ? null : $"convention '{convention}' is not supported";

    /// <summary>A warm instance, or null after reserving room for a cold start; waits while neither is possible.</summary>
    private async Task<IInstance?> AcquireAsync(InstanceKey key, int memoryMB, CancellationToken cancellationToken)
    {
        while (true)
        {
            var evicted = new List<IInstance>();
            var acquired = _ledger.TryAcquire(key, memoryMB, evicted, out var warm, out var changed);
            StopEvicted(evicted);
            if (acquired && warm is not null && !warm.CanServe())
            {
                _ledger.Return(warm, busy: true, _time.GetUtcNow());
                await StopAsync(warm, "exited while idle");
                continue;
            }

            if (acquired)
            {
                return warm;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    private async Task<IInstance> StartAsync(FunctionSpec function, string convention, CancellationToken cancellationToken)
    {
        if (IsCustom(function))
        {
            return await StartContainerAsync(function, cancellationToken);
        }

        var package = await _packages.LeaseAsync(function.PackageHash, function.Generation, refresh: false, cancellationToken);
        var started = _time.GetTimestamp();
        ExecutorInstance? instance;
        try
        {
            instance = await ClaimSpareAsync(function, convention, package.Directory, cancellationToken);
            if (instance is null)
            {
                var id = NewInstanceId();
                try
                {
                    instance = await ExecutorInstance.StartAsync(
                        id, function, convention, RuntimeCatalog.Find(function.Runtime)!, package.Directory, _profile, _time, cancellationToken);
                }
                catch (InstanceStartException)
                {
                    _logger.InstanceStartFailed(id, function.Name);
                    throw;
                }
            }
        }
        catch
        {
            package.Dispose();
            throw;
        }

        instance.Hold(package);
        _ledger.Started(instance);
        var milliseconds = _time.GetElapsedTime(started).TotalMilliseconds;
        _logger.InstanceStarted(instance.Id, function.Name, milliseconds);
        return instance;
    }

    private async Task<IInstance> StartContainerAsync(FunctionSpec function, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var id = NewInstanceId();
        ContainerInstance instance;
        try
        {
            instance = await ContainerInstance.StartAsync(id, function, _engine, _profile.MaxProcesses, _profile.MaxResultBytes, _time, cancellationToken);
        }
        catch (InstanceStartException)
        {
            _logger.InstanceStartFailed(id, function.Name);
            throw;
        }

        _ledger.Started(instance);
        var milliseconds = _time.GetElapsedTime(started).TotalMilliseconds;
        _logger.InstanceStarted(instance.Id, function.Name, milliseconds);
        return instance;
    }

    private string NewInstanceId() => $"{Environment.ProcessId:x}-{Interlocked.Increment(ref _instanceCounter):x}";

    /// <summary>A spare made an instance of the function, or null when none is ready (or claiming one failed).</summary>
    private async Task<ExecutorInstance?> ClaimSpareAsync(
        FunctionSpec function, string convention, string codeDirectory, CancellationToken cancellationToken)
    {
        if (!_spares.TryGetValue(function.Runtime, out var queue))
        {
            return null;
        }

        while (queue.TryDequeue(out var spare))
        {
            ReplenishSpares();
            if (!spare.CanServe())
            {
                LastSpareLoss = "exited while waiting";
                await StopAsync(spare, "spare exited");
                continue;
            }

            try
            {
                await spare.ClaimAsync(function, convention, codeDirectory, _profile, cancellationToken);
                Interlocked.Increment(ref _sparesClaimed);
                return spare;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Memory already above the function's limit, or the package could not be linked: start afresh.
                LastSpareLoss = error.GetType().Name;
                _logger.SpareNotClaimed(spare.Id, error.GetType().Name);
                await StopAsync(spare, "spare could not be claimed");
                return null;
            }
            catch (Exception error)
            {
                LastSpareLoss = error.GetType().Name;
                if (error is InstanceStartException)
                {
                    _logger.InstanceStartFailed(spare.Id, function.Name);
                }

                await StopAsync(spare, "spare could not be claimed");
                throw;
            }
        }

        return null;
    }

    /// <summary>Starts spares in the background until each runtime has enough; one replenisher at a time.</summary>
    private void ReplenishSpares()
    {
        if (_spareTarget == 0 || _disposed || Interlocked.Exchange(ref _replenishing, 1) == 1)
        {
            return;
        }

        _replenisher = Task.Run(async () =>
        {
            try
            {
                do
                {
                    foreach (var runtime in RuntimeCatalog.Spares)
                    {
                        var queue = _spares[runtime.Name];
                        while (!_disposed && queue.Count < _spareTarget)
                        {
                            var id = NewInstanceId();
                            queue.Enqueue(await ExecutorInstance.StartSpareAsync(id, runtime, Path.Combine(SparesDirectory, id), _profile, _time));
                        }
                    }

                    Volatile.Write(ref _replenishing, 0);
                }
                // A claim that came while this loop was finishing found it still running: look again.
                while (!_disposed && _spares.Values.Any(queue => queue.Count < _spareTarget) && Interlocked.Exchange(ref _replenishing, 1) == 0);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                Volatile.Write(ref _replenishing, 0);
                _logger.SparesUnavailable(error);
            }
        });
    }

    /// <summary>Removes what runs whose process has ended (killed before they could) left: their cgroups and folders.</summary>
    private async Task DeleteEndedRunsAsync()
    {
        try
        {
            if (_profile.Limiter == LimiterKind.Cgroup)
            {
                foreach (var run in CgroupSlice.Runs().Where(run => WorkerRun.HasEnded(run, _profile.RunId)))
                {
                    await CgroupSlice.DeleteRunAsync(run);
                }
            }

            WorkerRun.DeleteEndedDirectories(_options.DataDirectory, _profile.RunId, _stopping.Token);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            // Left for the next start.
        }
    }

    private async Task<bool> PrewarmOneAsync(FunctionSpec function, InstanceKey key, CancellationToken cancellationToken)
    {
        IInstance instance;
        try
        {
            // Prewarmed instances load json-handler functions until FunctionSpec names the convention.
            instance = await StartAsync(function, function.Convention, cancellationToken);
        }
        catch (InstanceStartException)
        {
            _ledger.Unreserve(key, function.MemoryMB, busy: false);
            return false;
        }
        catch
        {
            _ledger.Unreserve(key, function.MemoryMB, busy: false);
            throw;
        }

        if (_ledger.Return(instance, busy: false, _time.GetUtcNow()))
        {
            await StopAsync(instance, "function retired");
            return false;
        }

        return true;
    }

    /// <summary>
    /// Stops evicted instances without making the cold start that evicted them wait: the ledger has already given their
    /// memory to it, and a killed process is gone within moments. DisposeAsync waits for these stops.
    /// </summary>
    private void StopEvicted(List<IInstance> evicted)
    {
        foreach (var instance in evicted)
        {
            var stopping = StopAsync(instance, "evicted for memory");
            _evictions[instance] = stopping;
            stopping.ContinueWith(
                _ => _evictions.TryRemove(instance, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task StopAllAsync(List<IInstance> instances, string reason)
    {
        if (instances.Count > 0)
        {
            await Task.WhenAll(instances.Select(instance => StopAsync(instance, reason)));
        }
    }

    private async Task StopAsync(IInstance instance, string reason)
    {
        _logger.InstanceStopped(instance.Id, instance.Key.Function, reason);
        if (!await instance.StopAsync())
        {
            _logger.CgroupNotRemoved(instance.Id);
        }
    }
}
