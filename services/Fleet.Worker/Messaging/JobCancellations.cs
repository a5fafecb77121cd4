namespace Fleet.Worker.Messaging;

/// <summary>
/// The jobs cancelled lately, and a token for each job with slices running here that a cancellation fires. A slice
/// call of a job cancelled before it started does not run; one running is stopped (its instance killed) and its
/// outcomes are discarded: the job store would discard them too.
/// </summary>
internal sealed class JobCancellations
{
    /// <summary>Cancelled jobs remembered, at most: enough for the slice calls still queued for them to arrive.</summary>
    private const int Remembered = 4096;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (CancellationTokenSource Source, int Calls)> _running = new(StringComparer.Ordinal);
    private readonly HashSet<string> _cancelled = new(StringComparer.Ordinal);
    private readonly Queue<string> _cancelledOrder = new();

    public bool IsCancelled(string jobId)
    {
        lock (_gate)
        {
            return _cancelled.Contains(jobId);
        }
    }

    /// <summary>A token that fires when the job is cancelled, held until the scope is disposed; null when it is cancelled already.</summary>
    public Scope? Enter(string jobId)
    {
        lock (_gate)
        {
            if (_cancelled.Contains(jobId))
            {
                return null;
            }

            var (source, calls) = _running.TryGetValue(jobId, out var entry) ? entry : (new CancellationTokenSource(), 0);
            _running[jobId] = (source, calls + 1);
            return new Scope(this, jobId, source.Token);
        }
    }

    public void Cancel(string jobId)
    {
        CancellationTokenSource? source = null;
        lock (_gate)
        {
            if (_cancelled.Add(jobId))
            {
                _cancelledOrder.Enqueue(jobId);
                if (_cancelledOrder.Count > Remembered)
                {
                    _cancelled.Remove(_cancelledOrder.Dequeue());
                }
            }

            if (_running.Remove(jobId, out var entry))
            {
                source = entry.Source;
            }
        }

        source?.Cancel();
    }

    private void Exit(string jobId, CancellationToken token)
    {
        lock (_gate)
        {
            if (_running.TryGetValue(jobId, out var entry) && entry.Source.Token == token)
            {
                if (entry.Calls > 1)
                {
                    _running[jobId] = (entry.Source, entry.Calls - 1);
                    return;
                }

                _running.Remove(jobId);
                entry.Source.Dispose();
            }
        }
    }

    /// <summary>A slice call of the job under way.</summary>
    public sealed class Scope(JobCancellations owner, string jobId, CancellationToken token) : IDisposable
    {
        public CancellationToken Token { get; } = token;

        public void Dispose() => owner.Exit(jobId, Token);
    }
}
