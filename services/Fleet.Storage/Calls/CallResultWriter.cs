using Fleet.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Storage.Calls;

/// <summary>
/// Stores async outcomes in batches; a caller's task completes once its outcome is durable. A store that does not
/// answer for a while is waited for (<see cref="StoreRetry"/>) rather than losing outcomes of calls that already ran;
/// only disposal stops the waiting.
/// </summary>
public sealed partial class CallResultWriter : IAsyncDisposable
{
    private readonly IFleetStore _store;
    private readonly Batcher<CallRecord> _batcher;
    private readonly StoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CallResultWriter> _logger;
    private readonly CancellationTokenSource _stopping = new();

    public CallResultWriter(IFleetStore store, IOptions<StoreOptions> options, TimeProvider time, ILogger<CallResultWriter> logger)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _batcher = new Batcher<CallRecord>(SaveAsync, maxConcurrentFlushes: 4);
    }

    /// <summary>
    /// Stores <paramref name="result"/> as the outcome of <paramref name="call"/>, kept for the call's own retention or
    /// else <see cref="StoreOptions.CallRetentionSeconds"/>.
    /// </summary>
    public Task WriteAsync(InvokeFunction call, InvocationResult result, CancellationToken cancellationToken) =>
        WriteAsync(
            new CallRecord
            {
                Id = call.RequestId,
                Function = call.Function.Name,
                CreatedAt = call.ReceivedAt,
                ExpiresAt = _time.GetUtcNow() + _options.RetentionOf(call),
                Result = result,
            },
            cancellationToken);

    /// <summary>Stores an outcome with the expiry it carries (a facade with a retention of its own sets it).</summary>
    public Task WriteAsync(CallRecord outcome, CancellationToken cancellationToken) => _batcher.EnqueueAsync(outcome, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _batcher.DisposeAsync();
        _stopping.Dispose();
    }

    private Task<int> SaveAsync(IReadOnlyList<CallRecord> outcomes, CancellationToken cancellationToken) =>
        StoreRetry.UntilDoneAsync(
            token => _store.Calls.CompleteAsync(outcomes, token),
            (error, delay) => LogRetrying(_logger, outcomes.Count, delay.TotalSeconds, error),
            _time,
            _stopping.Token);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "Store: could not save {Count} call outcomes; retrying in {Seconds} s")]
    private static partial void LogRetrying(ILogger logger, int count, double seconds, Exception exception);
}
