using System.Data.Common;
using Fleet.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Storage;

/// <summary>
/// Stores async outcomes in batches; a caller's task completes once its outcome is durable. A store that does not
/// answer for a while (a restart, a failover) is waited for, retrying with backoff, rather than losing outcomes of
/// calls that already ran; only disposal stops the waiting.
/// </summary>
public sealed partial class CallResultWriter : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly IFleetStore _store;
    private readonly Batcher<CallRecord> _batcher;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;
    private readonly ILogger<CallResultWriter> _logger;
    private readonly CancellationTokenSource _stopping = new();

    public CallResultWriter(IFleetStore store, IOptions<StoreOptions> options, TimeProvider time, ILogger<CallResultWriter> logger)
    {
        _store = store;
        _retention = TimeSpan.FromSeconds(options.Value.CallRetentionSeconds);
        _time = time;
        _logger = logger;
        _batcher = new Batcher<CallRecord>(SaveAsync, maxConcurrentFlushes: 4);
    }

    /// <summary>Stores <paramref name="result"/> as the outcome of <paramref name="call"/>, kept for the retention time.</summary>
    public Task WriteAsync(InvokeFunction call, InvocationResult result, CancellationToken cancellationToken) =>
        _batcher.EnqueueAsync(
            new CallRecord
            {
                Id = call.RequestId,
                Function = call.Function.Name,
                CreatedAt = call.ReceivedAt,
                ExpiresAt = _time.GetUtcNow() + _retention,
                Result = result,
            },
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _batcher.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task SaveAsync(IReadOnlyList<CallRecord> outcomes, CancellationToken cancellationToken)
    {
        for (var delay = FirstRetryDelay; ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks)))
        {
            try
            {
                await _store.SaveOutcomesAsync(outcomes, _stopping.Token);
                return;
            }
            catch (Exception error) when (error is DbException { IsTransient: true } or TimeoutException && !_stopping.IsCancellationRequested)
            {
                LogRetrying(_logger, outcomes.Count, delay.TotalSeconds, error);
                await Task.Delay(delay, _time, _stopping.Token);
            }
        }
    }

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "Store: could not save {Count} call outcomes; retrying in {Seconds} s")]
    private static partial void LogRetrying(ILogger logger, int count, double seconds, Exception exception);
}
