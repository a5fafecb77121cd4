using Fleet.Contracts;
using Fleet.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Fleet.Placement;

/// <summary>
/// The capacity view of one placer (a scheduler instance, or a gateway for warm sync calls). Heartbeats set each
/// worker's size and warm instances; this placer's placements and releases keep its in-flight count exact between
/// heartbeats. Placement prefers a worker holding an idle warm instance of the function, then any worker with a free
/// slot (most room first), then the bounded shared queue.
/// </summary>
public sealed class WorkerLedger(TimeProvider time, IOptions<PlacementOptions> options)
{
    private static readonly Uri SharedQueue = QueueNames.Address(QueueNames.SharedWork);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkerState> _workers = new(StringComparer.Ordinal);
    private readonly TimeSpan _silence = TimeSpan.FromSeconds(options.Value.WorkerSilenceSeconds);
    private readonly int _queueCapacity = options.Value.QueueCapacity;
    private int _queued;
    private long _drops;

    public void Observe(WorkerHeartbeat heartbeat)
    {
        lock (_gate)
        {
            if (!_workers.TryGetValue(heartbeat.WorkerId, out var worker))
            {
                worker = new WorkerState(heartbeat.WorkerId);
                _workers.Add(worker.Id, worker);
            }

            worker.Address = heartbeat.Address;
            worker.Slots = heartbeat.Slots;
            worker.MemoryBudgetMB = heartbeat.MemoryBudgetMB;
            worker.MemoryUsedMB = heartbeat.MemoryUsedMB;
            worker.Cpus = heartbeat.Cpus;
            worker.Draining = heartbeat.Draining;
            worker.LastSeen = time.GetUtcNow();
            worker.IdleWarm.Clear();
            foreach (var (function, count) in heartbeat.IdleWarm)
            {
                worker.IdleWarm[function] = count;
            }
        }
    }

    /// <summary>One call this ledger placed on <paramref name="workerId"/> finished; its instance is idle again.</summary>
    public void Release(string workerId, string function) =>
        Release(new SlotsReleased { WorkerId = workerId, Functions = [function], Placed = 1 });

    public void Release(SlotsReleased released)
    {
        lock (_gate)
        {
            _queued = Math.Max(0, _queued - (released.Functions.Count - released.Placed));
            if (!_workers.TryGetValue(released.WorkerId, out var worker))
            {
                return;
            }

            worker.Inflight = Math.Max(0, worker.Inflight - released.Placed);
            foreach (var function in released.Functions)
            {
                worker.IdleWarm[function] = worker.IdleWarm.GetValueOrDefault(function) + 1;
            }
        }
    }

    /// <summary>
    /// Instances this placer had prewarmed are idle and warm now: counted at once, so the next call finds them before
    /// the worker's next heartbeat does.
    /// </summary>
    public void AddIdleWarm(string workerId, string function, int instances)
    {
        lock (_gate)
        {
            if (_workers.TryGetValue(workerId, out var worker))
            {
                worker.IdleWarm[function] = worker.IdleWarm.GetValueOrDefault(function) + instances;
            }
        }
    }

    public PlacementDecision Place(FunctionSpec function, bool mayQueue)
    {
        lock (_gate)
        {
            if (Best(function) is { } best)
            {
                return Take(best.Worker, function, best.Warm);
            }

            if (mayQueue && _queued < _queueCapacity)
            {
                _queued++;
                return new PlacementDecision(SharedQueue, "", false);
            }

            _drops++;
            return PlacementDecision.Refused;
        }
    }

    /// <summary>
    /// A worker holding an idle warm instance of the function, with a free slot, or <see cref="PlacementDecision.Refused"/>
    /// (not counted as a drop: the caller takes the call to the scheduler instead).
    /// </summary>
    public PlacementDecision PlaceWarm(FunctionSpec function)
    {
        lock (_gate)
        {
            return Best(function) is { Warm: true } best ? Take(best.Worker, function, warm: true) : PlacementDecision.Refused;
        }
    }

    /// <summary>Workers heard from lately and not draining.</summary>
    public int LiveWorkerCount()
    {
        lock (_gate)
        {
            return Live().Count();
        }
    }

    /// <summary>The memory budget and cores of each worker heard from lately and not draining.</summary>
    public IReadOnlyList<(int MemoryBudgetMB, double Cpus)> LiveWorkerSizes()
    {
        lock (_gate)
        {
            return [.. Live().Select(w => (w.MemoryBudgetMB, w.Cpus))];
        }
    }

    /// <summary>Counts a call refused for a reason other than capacity (an unreachable deadline).</summary>
    public void CountDrop() => Interlocked.Increment(ref _drops);

    /// <summary>Live workers that may take prewarmed instances, most free memory first.</summary>
    public IReadOnlyList<(string Id, Uri Address, int FreeMemoryMB)> PrewarmCandidates()
    {
        lock (_gate)
        {
            return [.. Live().OrderByDescending(w => w.FreeMemoryMB).Select(w => (w.Id, w.Address, w.FreeMemoryMB))];
        }
    }

    public FleetStatus Status()
    {
        lock (_gate)
        {
            var live = Live().ToList();
            var warm = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (function, count) in live.SelectMany(w => w.IdleWarm).Where(p => p.Value > 0))
            {
                warm[function] = warm.GetValueOrDefault(function) + count;
            }

            return new FleetStatus
            {
                Workers = live.Count,
                FreeSlots = live.Sum(w => w.FreeSlots),
                AvailableMemMB = live.Sum(w => w.FreeMemoryMB),
                AvailableCpus = live.Sum(w => w.Cpus * w.FreeSlots / Math.Max(1, w.Slots)),
                IdleWarm = warm,
                DropCount = Interlocked.Read(ref _drops),
            };
        }
    }

    private (WorkerState Worker, bool Warm)? Best(FunctionSpec function)
    {
        var now = time.GetUtcNow();
        WorkerState? best = null;
        var bestRank = (0, 0);
        foreach (var worker in _workers.Values)
        {
            if (worker.Draining || now - worker.LastSeen > _silence || worker.FreeSlots == 0)
            {
                continue;
            }

            var affinity = worker.IdleWarm.GetValueOrDefault(function.Name) > 0 ? 2
                : worker.FreeMemoryMB >= function.MemoryMB ? 1 : 0;
            var rank = (affinity, worker.FreeSlots);
            if (best is null || rank.CompareTo(bestRank) > 0)
            {
                (best, bestRank) = (worker, rank);
            }
        }

        return best is null ? null : (best, bestRank.Item1 == 2);
    }

    private static PlacementDecision Take(WorkerState worker, FunctionSpec function, bool warm)
    {
        worker.Inflight++;
        if (warm)
        {
            worker.IdleWarm[function.Name]--;
        }

        return new PlacementDecision(worker.Address, worker.Id, warm);
    }

    private IEnumerable<WorkerState> Live()
    {
        var now = time.GetUtcNow();
        return _workers.Values.Where(w => !w.Draining && now - w.LastSeen <= _silence);
    }
}
