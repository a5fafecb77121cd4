using System.Threading.Channels;

namespace Fleet.Storage;

/// <summary>
/// Groups items that arrive while the previous flush runs into one flush, without waiting on a timer: an idle
/// system flushes each item at once, a busy one writes many per round trip. Each caller's task completes when
/// its item's flush has (or throws what the flush threw), so nothing is acknowledged before it is written.
/// </summary>
public sealed class Batcher<T> : IAsyncDisposable
{
    private readonly Channel<(T Item, TaskCompletionSource Done)> _pending = Channel.CreateUnbounded<(T, TaskCompletionSource)>(
        new UnboundedChannelOptions { SingleReader = true });

    private readonly Func<IReadOnlyList<T>, CancellationToken, Task> _flush;
    private readonly int _maxBatch;
    private readonly SemaphoreSlim _flushing;
    private readonly Task _loop;

    /// <param name="flush">Writes one batch.</param>
    /// <param name="maxBatch">Items in one flush, at most.</param>
    /// <param name="maxConcurrentFlushes">Flushes under way at once: more than one keeps a slow round trip from capping throughput.</param>
    public Batcher(Func<IReadOnlyList<T>, CancellationToken, Task> flush, int maxBatch = 500, int maxConcurrentFlushes = 1)
    {
        _flush = flush;
        _maxBatch = maxBatch;
        _flushing = new SemaphoreSlim(maxConcurrentFlushes, maxConcurrentFlushes);
        _loop = Task.Run(RunAsync);
    }

    public Task EnqueueAsync(T item, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ObjectDisposedException.ThrowIf(!_pending.Writer.TryWrite((item, done)), this);

        return done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _loop;
        _flushing.Dispose();
    }

    private async Task RunAsync()
    {
        var flushes = new List<Task>();
        while (await _pending.Reader.WaitToReadAsync())
        {
            await _flushing.WaitAsync();
            var items = new List<T>();
            var waiters = new List<TaskCompletionSource>();
            while (items.Count < _maxBatch && _pending.Reader.TryRead(out var entry))
            {
                items.Add(entry.Item);
                waiters.Add(entry.Done);
            }

            flushes.RemoveAll(flush => flush.IsCompleted);
            flushes.Add(FlushAsync(items, waiters));
        }

        await Task.WhenAll(flushes);
    }

    private async Task FlushAsync(List<T> items, List<TaskCompletionSource> waiters)
    {
        try
        {
            await _flush(items, CancellationToken.None);
            waiters.ForEach(w => w.TrySetResult());
        }
#pragma warning disable CA1031 // The failure goes to every caller of this batch; the loop must go on for the next.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            waiters.ForEach(w => w.TrySetException(ex));
        }
        finally
        {
            _flushing.Release();
        }
    }
}
