using Microsoft.Extensions.Options;

namespace Fleet.Worker;

/// <summary>The worker's concurrency: one slot per invocation running, shared by all its queues.</summary>
internal sealed class ExecutionSlots(IOptions<WorkerOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _free = new(options.Value.Slots, options.Value.Slots);

    public int Total { get; } = options.Value.Slots;

    public int Busy => Total - _free.CurrentCount;

    public async Task<Slot> TakeAsync(CancellationToken cancellationToken)
    {
        await _free.WaitAsync(cancellationToken);
        return new Slot(_free);
    }

    public void Dispose() => _free.Dispose();

    /// <summary>One taken slot; disposing gives it back (once).</summary>
    internal sealed class Slot(SemaphoreSlim free) : IDisposable
    {
        private int _held = 1;

        /// <summary>
        /// Gives the slot back while <paramref name="wait"/> runs (a call waiting for another), then takes one again,
        /// waiting like any call. Cancelled while waiting for it, the slot stays given back.
        /// </summary>
        public async Task<T> LendAsync<T>(Func<Task<T>> wait, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(wait);
            Dispose();
            try
            {
                return await wait();
            }
            finally
            {
                await free.WaitAsync(cancellationToken);
                Volatile.Write(ref _held, 1);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _held, 0) == 1)
            {
                free.Release();
            }
        }
    }
}
