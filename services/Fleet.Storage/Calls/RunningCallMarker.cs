using Microsoft.Extensions.Logging;

namespace Fleet.Storage.Calls;

/// <summary>
/// Marks recorded calls running, in batches off the caller's path: <see cref="Mark"/> returns at once, and the calls
/// that start while a batch is written go in the next (one round trip each). Only queued records change
/// (<see cref="ICallStore.MarkRunningAsync"/>); a failed batch is logged, not retried, since the state is advisory until
/// the outcome, which is written by <see cref="CallResultWriter"/> whatever happens here.
/// </summary>
public sealed partial class RunningCallMarker : IAsyncDisposable
{
    private readonly Batcher<string> _batcher;
    private readonly ILogger<RunningCallMarker> _logger;

    public RunningCallMarker(IFleetStore store, ILogger<RunningCallMarker> logger)
    {
        _logger = logger;
        _batcher = new Batcher<string>((ids, token) => store.Calls.MarkRunningAsync(ids, token));
    }

    /// <summary>Marks the call running soon; <see cref="WhenMarkedAsync"/> waits for it.</summary>
    public void Mark(string id) => _ = WhenMarkedAsync(id);

    /// <summary>Marks the call running and returns once its batch is written (or has failed, which is logged).</summary>
    public async Task WhenMarkedAsync(string id)
    {
        try
        {
            await _batcher.EnqueueAsync(id, CancellationToken.None);
        }
#pragma warning disable CA1031 // Advisory: a lost mark leaves the call queued until its outcome; nothing waits on it.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogMarkFailed(_logger, id, error);
        }
    }

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Store: could not mark call {Id} running")]
    private static partial void LogMarkFailed(ILogger logger, string id, Exception exception);
}
