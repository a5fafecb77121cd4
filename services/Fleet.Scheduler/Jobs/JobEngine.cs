using System.Collections.Concurrent;
using System.Threading.Channels;
using Fleet.Contracts;
using Fleet.Placement;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Jobs;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Fleet.Scheduler.Jobs;

/// <summary>
/// Runs jobs of many slices on the workers. For each active job, as long as a worker has a free slot, it claims the
/// job's lowest new or overdue slices from the store and sends them as one batch call to that worker; the worker
/// stores each slice's outcome (first result wins) and reports back, which sends the next call. A call's size follows
/// the job's measured seconds per slice, so each call runs about <see cref="JobEngineOptions.TargetCallSeconds"/>; a
/// retried slice runs alone, so a slice that fails or hangs its calls fails only itself. Claims are leased: a slice
/// whose worker died is claimed again once its lease ends. Jobs are active when deployed or appended to
/// (<see cref="JobSlicesAdded"/>), when their slices come back, and when the sweep finds new or overdue slices in the
/// store (other schedulers' jobs, and every job after a restart); several schedulers share jobs safely, as claims
/// never take the same slice.
/// </summary>
internal sealed partial class JobEngine : BackgroundService
{
    /// <summary>Jobs the sweep reads at once.</summary>
    private const int SweepLimit = 256;

    /// <summary>Calls a job gets in one round (one claim), at most: enough to fill a few workers' slots at once.</summary>
    private const int MaxCallsPerRound = 32;

    /// <summary>Jobs whose function and timing are remembered, at most (forgotten all at once beyond it, then read again).</summary>
    private const int KnownLimit = 10_000;

    private readonly IFleetStore _store;
    private readonly WorkerLedger _ledger;
    private readonly SchedulerIdentity _identity;
    private readonly IBus _bus;
    private readonly JobEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JobEngine> _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, bool> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ActiveJob> _known = new(StringComparer.Ordinal);

    public JobEngine(
        IFleetStore store, WorkerLedger ledger, SchedulerIdentity identity, IBus bus, IOptions<JobEngineOptions> options,
        TimeProvider time, ILogger<JobEngine> logger)
    {
        _store = store;
        _ledger = ledger;
        _identity = identity;
        _bus = bus;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _ledger.SlotsMayBeFree += Wake;
    }

    private enum Dispatch
    {
        Sent,
        Drained,
        NoCapacity,

        /// <summary>Its first call is out: the job waits for its timing before it spreads.</summary>
        Measuring,
    }

    /// <summary>The job has slices to run: dispatch them now.</summary>
    public void Activate(string jobId)
    {
        _active[jobId] = true;
        Wake();
    }

    /// <summary>A call of the job's slices came back; its timing sizes the job's next calls.</summary>
    public void Returned(SlicesReturned returned)
    {
        if (_known.TryGetValue(returned.JobId, out var job) && returned.Slices > 0)
        {
            job.Observe(returned.Seconds / returned.Slices);
        }

        Activate(returned.JobId);
    }

    public override void Dispose()
    {
        _ledger.SlotsMayBeFree -= Wake;
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweep = TimeSpan.FromSeconds(_options.SweepSeconds);
        var nextSweep = _time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_time.GetUtcNow() >= nextSweep)
                {
                    nextSweep = _time.GetUtcNow() + sweep;
                    foreach (var jobId in await _store.Jobs.ClaimableJobsAsync(_time.GetUtcNow(), SweepLimit, stoppingToken))
                    {
                        _active[jobId] = true;
                    }
                }

                await DispatchAllAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // The store or the broker is away: the slices stay in the store, and the next sweep tries again.
                LogDispatchFailed(_logger, error);
            }

            using var untilSweep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            untilSweep.CancelAfter(Max(nextSweep - _time.GetUtcNow(), TimeSpan.FromMilliseconds(10)));
            try
            {
                await _wake.Reader.ReadAsync(untilSweep.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The sweep is due.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>One call per active job in turn, round after round, until no worker has a free slot or no job has slices.</summary>
    private async Task DispatchAllAsync(CancellationToken cancellationToken)
    {
        var sent = true;
        while (sent && !_active.IsEmpty)
        {
            sent = false;
            foreach (var jobId in _active.Keys)
            {
                switch (await DispatchOneAsync(jobId, cancellationToken))
                {
                    case Dispatch.NoCapacity:
                        return;
                    case Dispatch.Drained:
                        _active.TryRemove(jobId, out _);
                        break;
                    case Dispatch.Measuring:
                        break;
                    default:
                        sent = true;
                        break;
                }
            }
        }
    }

    /// <summary>
    /// One round for the job: a slot on a worker for each call it can send now (up to <see cref="MaxCallsPerRound"/>),
    /// one claim of enough slices for all of them, the calls sent side by side. Slots or slices left over go back.
    /// </summary>
    private async Task<Dispatch> DispatchOneAsync(string jobId, CancellationToken cancellationToken)
    {
        if (await KnownAsync(jobId, cancellationToken) is not { } job)
        {
            return Dispatch.Drained;
        }

        var now = _time.GetUtcNow();
        var allowed = job.CallsAllowed(now, MaxCallsPerRound);
        if (allowed == 0)
        {
            return Dispatch.Measuring;
        }

        var placements = new List<PlacementDecision>();
        while (placements.Count < allowed && _ledger.PlaceOnWorker(job.Function) is { IsRefused: false } placement)
        {
            placements.Add(placement);
        }

        if (placements.Count == 0)
        {
            return Dispatch.NoCapacity;
        }

        var lease = now + TimeSpan.FromSeconds(job.Function.TimeoutSeconds + _options.LeaseGraceSeconds);
        var claimed = await ClaimAsync(job, placements, now, lease, cancellationToken);
        var calls = Calls(claimed, placements.Count, job.SlicesPerCall(_options), out var left);
        foreach (var unused in placements.Skip(calls.Count))
        {
            _ledger.Release(unused.WorkerId, job.Function.Key);
        }

        if (left.Count > 0)
        {
            await _store.Jobs.ReleaseAsync(jobId, left, cancellationToken);
        }

        if (calls.Count == 0)
        {
            return Dispatch.Drained;
        }

        var sent = await Task.WhenAll(calls.Select((call, i) => SendAsync(job, call, placements[i], now, cancellationToken)));
        return sent.All(ok => ok) ? Dispatch.Sent : Dispatch.NoCapacity;
    }

    /// <summary>The job's slices for every placed call; none (every slot handed back) when the store fails.</summary>
    private async Task<IReadOnlyList<ClaimedSlice>> ClaimAsync(
        ActiveJob job, List<PlacementDecision> placements, DateTimeOffset now, DateTimeOffset lease, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.Jobs.ClaimAsync(job.Id, placements.Count * job.SlicesPerCall(_options), now, lease, cancellationToken);
        }
        catch
        {
            foreach (var placement in placements)
            {
                _ledger.Release(placement.WorkerId, job.Function.Key);
            }

            throw;
        }
    }

    /// <summary>Sends one call; false (its slices handed back unrun, its slot released) when the broker did not take it.</summary>
    private async Task<bool> SendAsync(
        ActiveJob job, IReadOnlyList<ClaimedSlice> slices, PlacementDecision placement, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var work = new RunInvocations
        {
            Calls = [Call(job, slices, now)],
            LedgerAddress = _identity.Address,
            PlacedOn = placement.WorkerId,
            PlacedBy = _ledger.Id,
        };
        try
        {
            var endpoint = await _bus.GetSendEndpoint(placement.Address!);
            await SendDeadline.RunAsync(
                deadline => endpoint.Send(work, send => EndpointConventions.StampCall(send, async: true, 0), deadline), cancellationToken);
            return true;
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            // Unsent (or maybe sent): handed back unrun; a call that did reach the worker stores its outcomes first-wins.
            _ledger.Release(placement.WorkerId, job.Function.Key);
            LogSendFailed(_logger, job.Id, error);
            await _store.Jobs.ReleaseAsync(job.Id, slices, cancellationToken);
            return false;
        }
    }

    /// <summary>
    /// The claimed slices as at most <paramref name="calls"/> calls, in order, and the rest to hand back: a retried
    /// slice alone; else up to <paramref name="perCall"/> first attempts while their data fits
    /// <see cref="JobEngineOptions.MaxCallDataBytes"/> (a call's first slice always goes).
    /// </summary>
    private List<IReadOnlyList<ClaimedSlice>> Calls(IReadOnlyList<ClaimedSlice> claimed, int calls, int perCall, out List<ClaimedSlice> left)
    {
        var made = new List<IReadOnlyList<ClaimedSlice>>();
        var next = 0;
        while (next < claimed.Count && made.Count < calls)
        {
            var count = 1;
            long bytes = claimed[next].Datum.Length;
            while (claimed[next].Attempt == 1 && next + count < claimed.Count && count < perCall && claimed[next + count].Attempt == 1
                   && (bytes += claimed[next + count].Datum.Length) <= _options.MaxCallDataBytes)
            {
                count++;
            }

            made.Add(claimed.Skip(next).Take(count).ToList());
            next += count;
        }

        left = claimed.Skip(next).ToList();
        return made;
    }

    private InvokeFunction Call(ActiveJob job, IReadOnlyList<ClaimedSlice> slices, DateTimeOffset now) => new()
    {
        RequestId = $"{job.Id}/{slices[0].Number}.{slices[0].Attempt}",
        Function = job.Function,
        Input = Payload.Empty,
        Items = [.. slices.Select(slice => Payload.OfJson(slice.Datum))],
        Slices = new JobSlices
        {
            JobId = job.Id,
            Slices = [.. slices.Select(slice => new SliceAttempt(slice.Number, slice.Attempt))],
            ReportTo = _identity.Address,
        },
        Async = true,
        ReceivedAt = now,
    };

    /// <summary>The job's function and timing, read once; null when the job is gone or cancelled.</summary>
    private async Task<ActiveJob?> KnownAsync(string jobId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(jobId, out var known))
        {
            return known;
        }

        if (await _store.Jobs.GetAsync(jobId, _time.GetUtcNow(), cancellationToken) is not { Job.Cancelled: false } summary)
        {
            return null;
        }

        if (_known.Count >= KnownLimit)
        {
            _known.Clear();
        }

        return _known.GetOrAdd(jobId, new ActiveJob(jobId, summary.Job.Function));
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs: dispatching slices failed; the next sweep tries again")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs: could not send slices of job {JobId}; they are handed back")]
    private static partial void LogSendFailed(ILogger logger, string jobId, Exception exception);

    /// <summary>
    /// A job the engine dispatches: its function and the seconds its slices take (a moving average). Until its first
    /// call has come back, the job has one call out: spread at once over every free slot, a job of a function no worker
    /// has warm would start an instance per slot, each cold, before it knew whether a few warm ones would do.
    /// </summary>
    private sealed class ActiveJob(string id, FunctionSpec function)
    {
        /// <summary>How long the first call is waited for before the job spreads regardless (its worker may have died).</summary>
        private static readonly TimeSpan MeasureWait = TimeSpan.FromSeconds(5);

        private readonly Lock _gate = new();
        private double? _secondsPerSlice;
        private DateTimeOffset? _firstCallAt;

        public string Id { get; } = id;

        public FunctionSpec Function { get; } = function;

        public void Observe(double secondsPerSlice)
        {
            lock (_gate)
            {
                _secondsPerSlice = _secondsPerSlice is { } average ? (0.7 * average) + (0.3 * secondsPerSlice) : secondsPerSlice;
            }
        }

        /// <summary>How many calls the job may send now: one first (its timing unknown), then <paramref name="max"/>.</summary>
        public int CallsAllowed(DateTimeOffset now, int max)
        {
            lock (_gate)
            {
                if (_secondsPerSlice is not null || (_firstCallAt is { } sent && now - sent > MeasureWait))
                {
                    return max;
                }

                if (_firstCallAt is not null)
                {
                    return 0;
                }

                _firstCallAt = now;
                return 1;
            }
        }

        public int SlicesPerCall(JobEngineOptions options)
        {
            lock (_gate)
            {
                return _secondsPerSlice is { } average
                    ? (int)Math.Clamp(options.TargetCallSeconds / Math.Max(average, 1e-6), 1, options.MaxSlicesPerCall)
                    : Math.Min(options.FirstSlicesPerCall, options.MaxSlicesPerCall);
            }
        }
    }
}
