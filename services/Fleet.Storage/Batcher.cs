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
    private readonly Task _loop;

    public Batcher(Func<IReadOnlyList<T>, CancellationToken, Task> flush, int maxBatch = 500)
    {
        _flush = flush;
        _maxBatch = maxBatch;
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
    }

    private async Task RunAsync()
    {
        var items = new List<T>(_maxBatch);
        var waiters = new List<TaskCompletionSource>(_maxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (items.Count < _maxBatch && _pending.Reader.TryRead(out var entry))
            {
                items.Add(entry.Item);
                waiters.Add(entry.Done);
            }

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

            items.Clear();
            waiters.Clear();
        }
    }
}
