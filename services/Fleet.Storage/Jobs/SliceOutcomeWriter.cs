using Fleet.Contracts;
using Microsoft.Extensions.Logging;

namespace Fleet.Storage.Jobs;

/// <summary>
/// Stores the outcomes of job slices in batches, as <see cref="Calls.CallResultWriter"/> stores call outcomes: a
/// caller's task completes once its outcomes are durable, and a store that does not answer is waited for
/// (<see cref="StoreRetry"/>) rather than losing slices that already ran; only disposal stops the waiting.
/// </summary>
public sealed partial class SliceOutcomeWriter : IAsyncDisposable
{
    private readonly IFleetStore _store;
    private readonly Batcher<SliceOutcome> _batcher;
    private readonly TimeProvider _time;
    private readonly ILogger<SliceOutcomeWriter> _logger;
    private readonly CancellationTokenSource _stopping = new();

    public SliceOutcomeWriter(IFleetStore store, TimeProvider time, ILogger<SliceOutcomeWriter> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _batcher = new Batcher<SliceOutcome>(SaveAsync, maxBatch: 2000, maxConcurrentFlushes: 4);
    }

    /// <summary>Stores what the call of <paramref name="slices"/> did for each of them.</summary>
    public Task WriteAsync(JobSlices slices, InvocationResult result, CancellationToken cancellationToken) =>
        Task.WhenAll(Outcomes(slices, result).Select(outcome => _batcher.EnqueueAsync(outcome, cancellationToken)));

    /// <summary>
    /// Each slice's outcome: its item's, when the call ran its items; else the call's failure for every slice (a call
    /// that timed out or lost its instance failed each of them), its seconds shared among them.
    /// </summary>
    public static IReadOnlyList<SliceOutcome> Outcomes(JobSlices slices, InvocationResult result)
    {
        var outcomes = new SliceOutcome[slices.Slices.Count];
        var ranItems = result.Status == InvocationStatus.Succeeded && result.Items?.Count == outcomes.Length;
        for (var i = 0; i < outcomes.Length; i++)
        {
            var (number, attempt) = slices.Slices[i];
            var outcome = new SliceOutcome { JobId = slices.JobId, Number = number, Attempt = attempt, Succeeded = false };
            if (!ranItems)
            {
                outcomes[i] = outcome with { Error = Failure(result.Error, result.Status), CpuSeconds = result.Duration / outcomes.Length };
                continue;
            }

            var item = result.Items![i];
            outcomes[i] = item.Status == InvocationStatus.Succeeded
                ? outcome with { Succeeded = true, Value = item.Output.Json is { Length: > 0 } json ? json : "null", CpuSeconds = item.Duration }
                : outcome with { Error = Failure(item.Error, item.Status), CpuSeconds = item.Duration };
        }

        return outcomes;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _batcher.DisposeAsync();
        _stopping.Dispose();
    }

    private static string Failure(string error, InvocationStatus status) => error.Length > 0 ? error : status.ToString();

    private Task<int> SaveAsync(IReadOnlyList<SliceOutcome> outcomes, CancellationToken cancellationToken) =>
        StoreRetry.UntilDoneAsync(
            token => _store.Jobs.CompleteAsync(outcomes, token),
            (error, delay) => LogRetrying(_logger, outcomes.Count, delay.TotalSeconds, error),
            _time,
            _stopping.Token);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Warning, Message = "Store: could not save {Count} slice outcomes; retrying in {Seconds} s")]
    private static partial void LogRetrying(ILogger logger, int count, double seconds, Exception exception);
}
