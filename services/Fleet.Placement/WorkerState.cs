namespace Fleet.Placement;

/// <summary>
/// What one placer knows of one worker: its last heartbeat, plus the changes this placer made or heard of since that
/// heartbeat was sent (placements, releases, prewarmed instances). A newer heartbeat replaces every change it already
/// reflects, so a lost release or a worker restarted under the same id costs slots for one heartbeat at most.
/// </summary>
internal sealed class WorkerState(string id)
{
    /// <summary>Changes kept at most between two heartbeats; a worker that sends none for this long is silent anyway.</summary>
    private const int MaxChanges = 100_000;

    /// <summary>
    /// How long a placement may take to reach its worker: one placed shortly before a heartbeat was sent may not be
    /// among the calls that heartbeat counts yet, so it stays counted on top for this long (a slot counted busy a
    /// moment too long, never a call placed on a full worker).
    /// </summary>
    private static readonly TimeSpan PlacementInFlight = TimeSpan.FromSeconds(1);

    private readonly Queue<Change> _changes = new();

    public string Id { get; } = id;

    public Uri Address { get; set; } = null!;

    public int Slots { get; set; }

    /// <summary>Invocations this placer placed on the worker that have not finished, as far as it knows.</summary>
    public int Inflight { get; private set; }

    public int MemoryBudgetMB { get; set; }

    public int MemoryUsedMB { get; set; }

    public double Cpus { get; set; }

    public bool Draining { get; set; }

    /// <summary>The runtimes its last heartbeat named (<see cref="Fleet.Contracts.WorkerHeartbeat.Runtimes"/>).</summary>
    public IReadOnlyList<string> Runtimes { get; set; } = [];

    /// <summary>Whether it runs functions of <paramref name="runtime"/>: every worker runs the built-in ones.</summary>
    public bool Offers(string runtime) => Runtimes.Count == 0 ? !Fleet.Contracts.Runtimes.IsOptional(runtime) : Runtimes.Contains(runtime);

    /// <summary>When this placer last heard the worker (its clock).</summary>
    public DateTimeOffset LastSeen { get; set; }

    /// <summary>When the worker sent the heartbeat this state is based on (the worker's clock).</summary>
    public DateTimeOffset HeartbeatSentAt { get; private set; } = DateTimeOffset.MinValue;

    public Dictionary<string, int> IdleWarm { get; } = new(StringComparer.Ordinal);

    public int FreeSlots => Math.Max(0, Slots - Inflight);

    public int FreeMemoryMB => Math.Max(0, MemoryBudgetMB - MemoryUsedMB);

    /// <summary>
    /// Takes the worker's own counts as of <paramref name="sentAt"/>: the calls it holds for this placer and its idle
    /// warm instances, then applies again the changes made after that moment.
    /// </summary>
    public void Rebase(DateTimeOffset sentAt, int held, IReadOnlyDictionary<string, int> idleWarm)
    {
        HeartbeatSentAt = sentAt;
        var kept = _changes.Where(change => NotYetIn(change, sentAt)).ToList();
        _changes.Clear();
        foreach (var change in kept)
        {
            _changes.Enqueue(change);
        }

        Inflight = held;
        IdleWarm.Clear();
        foreach (var (function, count) in idleWarm)
        {
            IdleWarm[function] = count;
        }

        foreach (var change in _changes)
        {
            Apply(change);
        }
    }

    /// <summary>A placement this placer made just now: counted at once, and until a heartbeat sent after it.</summary>
    public void Placed(DateTimeOffset at, string function, bool warm)
    {
        var change = new Change(at, function, 1, warm ? -1 : 0);
        Apply(change);
        Keep(change);
    }

    /// <summary>
    /// A change the worker made at <paramref name="at"/> (a release, instances prewarmed): ignored when the heartbeat
    /// in hand was sent after it and so counts it already.
    /// </summary>
    public void Heard(DateTimeOffset at, string? function, int slots, int warm)
    {
        if (at >= HeartbeatSentAt)
        {
            var change = new Change(at, function, slots, warm);
            Apply(change);
            Keep(change);
        }
    }

    /// <summary>
    /// Whether a heartbeat sent at <paramref name="sentAt"/> may not count <paramref name="change"/> yet: a change made
    /// after it, or a placement made less than <see cref="PlacementInFlight"/> before it. One rule for the changes a
    /// heartbeat replaces and for the changes kept until the next one.
    /// </summary>
    private static bool NotYetIn(Change change, DateTimeOffset sentAt) =>
        change.At > sentAt || (change.Slots > 0 && change.At > sentAt - PlacementInFlight);

    private void Keep(Change change)
    {
        if (NotYetIn(change, HeartbeatSentAt))
        {
            if (_changes.Count == MaxChanges)
            {
                _changes.Dequeue();
            }

            _changes.Enqueue(change);
        }
    }

    private void Apply(Change change)
    {
        Inflight = Math.Max(0, Inflight + change.Slots);
        if (change.Function is { } function && change.Warm != 0)
        {
            IdleWarm[function] = Math.Max(0, IdleWarm.GetValueOrDefault(function) + change.Warm);
        }
    }

    /// <param name="Slots">Busy slots gained (a placement) or lost (a release).</param>
    /// <param name="Warm">Idle warm instances of <paramref name="Function"/> gained or taken.</param>
    private readonly record struct Change(DateTimeOffset At, string? Function, int Slots, int Warm);
}
