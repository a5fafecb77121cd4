using Microsoft.Extensions.Options;

namespace Fleet.Worker;

/// <summary>The worker's concurrency: one slot per invocation running, shared by all its queues.</summary>
internal sealed class ExecutionSlots(IOptions<WorkerOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _free = new(options.Value.Slots, options.Value.Slots);

    public int Total { get; } = options.Value.Slots;

    public int Busy => Total - _free.CurrentCount;

    public async Task<IDisposable> TakeAsync(CancellationToken cancellationToken)
    {
        await _free.WaitAsync(cancellationToken);
        return new Slot(_free);
    }

    public void Dispose() => _free.Dispose();

    private sealed class Slot(SemaphoreSlim free) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                free.Release();
            }
        }
    }
}
