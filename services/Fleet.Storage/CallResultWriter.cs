using Fleet.Contracts;
using Microsoft.Extensions.Options;

namespace Fleet.Storage;

/// <summary>Stores async outcomes in batches; a caller's task completes once its outcome is durable.</summary>
public sealed class CallResultWriter : IAsyncDisposable
{
    private readonly Batcher<CallRecord> _batcher;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _time;

    public CallResultWriter(IFleetStore store, IOptions<StoreOptions> options, TimeProvider time)
    {
        _retention = TimeSpan.FromSeconds(options.Value.CallRetentionSeconds);
        _time = time;
        _batcher = new Batcher<CallRecord>(store.SaveOutcomesAsync, maxConcurrentFlushes: 4);
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

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();
}
