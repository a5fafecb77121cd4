using Fleet.Contracts;
using Fleet.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Fleet.Placement;

/// <summary>
/// The capacity view of one placer (a scheduler instance, or a gateway for warm sync calls). Each heartbeat sets a
/// worker's size, its warm instances and the calls it holds for this placer (<see cref="Id"/>); the placements and
/// releases made after the heartbeat was sent are counted on top, so the view is exact between heartbeats and a lost
/// release, or a worker restarted under its id, is corrected by the next one. Workers silent for long are forgotten.
/// Placement prefers a worker holding an idle warm instance of the function, then any worker with a free slot (most
/// room first), then the bounded shared queue.
/// </summary>
public sealed class WorkerLedger(TimeProvider time, IOptions<PlacementOptions> options)
{
    private static readonly Uri SharedQueue = QueueNames.Address(QueueNames.SharedWork);

    /// <summary>
    /// How long after the last call this placer sent to the shared queue a worker with a free slot proves that queue
    /// empty: workers with a free slot take from it at once.
    /// </summary>
    private static readonly TimeSpan SharedQueueSettle = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkerState> _workers = new(StringComparer.Ordinal);
    private readonly TimeSpan _silence = TimeSpan.FromSeconds(options.Value.WorkerSilenceSeconds);
    private readonly TimeSpan _forgetAfter = TimeSpan.FromSeconds(options.Value.ForgetWorkerAfterSeconds);
    private readonly int _queueCapacity = options.Value.QueueCapacity;
    private int _queued;
    private DateTimeOffset _lastQueued = DateTimeOffset.MinValue;
    private long _drops;

    /// <summary>Raised after a heartbeat or a release, outside the ledger's lock: slots may be free that were not.</summary>
    public event Action? SlotsMayBeFree;

    /// <summary>This ledger's name in <see cref="RunInvocation.PlacedBy"/> and <see cref="WorkerHeartbeat.Held"/>: one per process.</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    public void Observe(WorkerHeartbeat heartbeat)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!_workers.TryGetValue(heartbeat.WorkerId, out var worker))
            {
                Forget(now);
                worker = new WorkerState(heartbeat.WorkerId);
                _workers.Add(worker.Id, worker);
            }

            if (heartbeat.SentAt < worker.HeartbeatSentAt)
            {
                return;
            }

            worker.Address = heartbeat.Address;
            worker.Slots = heartbeat.Slots;
            worker.MemoryBudgetMB = heartbeat.MemoryBudgetMB;
            worker.MemoryUsedMB = heartbeat.MemoryUsedMB;
            worker.Cpus = heartbeat.Cpus;
            worker.Draining = heartbeat.Draining;
            worker.Runtimes = heartbeat.Runtimes;
            worker.LastSeen = now;
            worker.Rebase(heartbeat.SentAt, heartbeat.Held.GetValueOrDefault(Id), heartbeat.IdleWarm);

            // Calls counted as queued whose releases were lost would otherwise shrink the queue for good.
            if (!heartbeat.Draining && heartbeat.BusySlots < heartbeat.Slots && heartbeat.SentAt - _lastQueued > SharedQueueSettle)
            {
                _queued = 0;
            }
        }

        SlotsMayBeFree?.Invoke();
    }

    /// <summary>One call this ledger placed on <paramref name="workerId"/> finished; its instance is idle again.</summary>
    public void Release(string workerId, string function) =>
        Release(new SlotsReleased { WorkerId = workerId, Functions = [function], Placed = 1, SentAt = time.GetUtcNow() });

    public void Release(SlotsReleased released)
    {
        lock (_gate)
        {
            _queued = Math.Max(0, _queued - (released.Functions.Count - released.Placed));
            if (!_workers.TryGetValue(released.WorkerId, out var worker))
            {
                return;
            }

            var at = released.SentAt == default ? time.GetUtcNow() : released.SentAt;
            worker.Heard(at, null, slots: -released.Placed, warm: 0);
            foreach (var function in released.Functions)
            {
                worker.Heard(at, function, slots: 0, warm: 1);
            }
        }

        SlotsMayBeFree?.Invoke();
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
                worker.Heard(time.GetUtcNow(), function, slots: 0, warm: instances);
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

            // Any worker takes from the shared queue: a call there must be one that every live worker runs.
            if (mayQueue && _queued < _queueCapacity && Live().All(worker => worker.Offers(function.Runtime)))
            {
                _queued++;
                _lastQueued = time.GetUtcNow();
                return new PlacementDecision(SharedQueue, "", false);
            }

            _drops++;
            return PlacementDecision.Refused;
        }
    }

    /// <summary>
    /// A worker with a free slot for the function (an idle warm instance of it first), or
    /// <see cref="PlacementDecision.Refused"/>, not counted as a drop: the job engine's work waits in the store instead.
    /// </summary>
    public PlacementDecision PlaceOnWorker(FunctionSpec function)
    {
        lock (_gate)
        {
            return Best(function) is { } best ? Take(best.Worker, function, best.Warm) : PlacementDecision.Refused;
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

    /// <summary>The memory budget and cores of each worker heard from lately and not draining (of those that run <paramref name="runtime"/>, when named).</summary>
    public IReadOnlyList<(int MemoryBudgetMB, double Cpus)> LiveWorkerSizes(string? runtime = null)
    {
        lock (_gate)
        {
            return [.. Live().Where(w => runtime is null || w.Offers(runtime)).Select(w => (w.MemoryBudgetMB, w.Cpus))];
        }
    }

    /// <summary>Whether a worker heard from lately and not draining runs <paramref name="runtime"/>.</summary>
    public bool Offers(string runtime)
    {
        lock (_gate)
        {
            return Live().Any(w => w.Offers(runtime));
        }
    }

    /// <summary>Counts a call refused for a reason other than capacity (an unreachable deadline).</summary>
    public void CountDrop() => Interlocked.Increment(ref _drops);

    /// <summary>Live workers that may take prewarmed instances of <paramref name="runtime"/>, most free memory first.</summary>
    public IReadOnlyList<(string Id, Uri Address, int FreeMemoryMB)> PrewarmCandidates(string runtime)
    {
        lock (_gate)
        {
            return [.. Live().Where(w => w.Offers(runtime)).OrderByDescending(w => w.FreeMemoryMB).Select(w => (w.Id, w.Address, w.FreeMemoryMB))];
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
            if (worker.Draining || now - worker.LastSeen > _silence || worker.FreeSlots == 0 || !worker.Offers(function.Runtime))
            {
                continue;
            }

            var affinity = worker.IdleWarm.GetValueOrDefault(function.Key) > 0 ? 2
                : worker.FreeMemoryMB >= function.MemoryMB ? 1 : 0;
            var rank = (affinity, worker.FreeSlots);
            if (best is null || rank.CompareTo(bestRank) > 0)
            {
                (best, bestRank) = (worker, rank);
            }
        }

        return best is null ? null : (best, bestRank.Item1 == 2);
    }

    private PlacementDecision Take(WorkerState worker, FunctionSpec function, bool warm)
    {
        worker.Placed(time.GetUtcNow(), function.Key, warm);
        return new PlacementDecision(worker.Address, worker.Id, warm);
    }

    /// <summary>Drops workers silent for <see cref="PlacementOptions.ForgetWorkerAfterSeconds"/>: ids of gone workers do not pile up.</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var silent in _workers.Values.Where(w => now - w.LastSeen > _forgetAfter).Select(w => w.Id).ToList())
        {
            _workers.Remove(silent);
        }
    }

    private IEnumerable<WorkerState> Live()
    {
        var now = time.GetUtcNow();
        return _workers.Values.Where(w => !w.Draining && now - w.LastSeen <= _silence);
    }
}
