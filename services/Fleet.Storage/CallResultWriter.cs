using Fleet.Contracts;
using Microsoft.Extensions.Options;

namespace Fleet.Storage;

/// <summary>Stores async outcomes in batches; a caller's task completes once its outcome is durable.</summary>
public sealed class CallResultWriter : IAsyncDisposable
{
    private readonly Batcher<InvocationResult> _batcher;

    public CallResultWriter(IFleetStore store, IOptions<StoreOptions> options, TimeProvider time)
    {
        var retention = TimeSpan.FromSeconds(options.Value.CallRetentionSeconds);
        _batcher = new Batcher<InvocationResult>(
            (results, ct) => store.CompleteCallsAsync(results, time.GetUtcNow() + retention, ct), maxConcurrentFlushes: 4);
    }

    public Task WriteAsync(InvocationResult result, CancellationToken cancellationToken) =>
        _batcher.EnqueueAsync(result, cancellationToken);

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();
}
