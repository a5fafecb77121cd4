namespace Fleet.Worker;

/// <summary>
/// The calls placed on this worker that it holds (received, not finished), by the ledger that placed them. Each
/// heartbeat reports them, and each ledger takes its count from there: one a message lost or a run of the worker gone
/// cannot keep slots busy in any ledger for longer than a heartbeat.
/// </summary>
internal sealed class HeldCalls
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _byLedger = new(StringComparer.Ordinal);

    /// <summary>Counts one call for <paramref name="placedBy"/> until the returned hold is disposed.</summary>
    public Hold Take(string placedBy)
    {
        lock (_gate)
        {
            _byLedger[placedBy] = _byLedger.GetValueOrDefault(placedBy) + 1;
        }

        return new Hold(this, placedBy);
    }

    /// <summary>
    /// Stops counting one call of <paramref name="placedBy"/> (held, but waiting for a call it made) until the returned
    /// scope is disposed: the placer's ledger sees its slot free meanwhile.
    /// </summary>
    public IDisposable Suspend(string placedBy)
    {
        Drop(placedBy);
        return new Suspension(this, placedBy);
    }

    public IReadOnlyDictionary<string, int> Snapshot()
    {
        lock (_gate)
        {
            return new Dictionary<string, int>(_byLedger, StringComparer.Ordinal);
        }
    }

    private void Drop(string placedBy)
    {
        lock (_gate)
        {
            if (_byLedger[placedBy] == 1)
            {
                _byLedger.Remove(placedBy);
            }
            else
            {
                _byLedger[placedBy]--;
            }
        }
    }

    private sealed class Suspension(HeldCalls calls, string placedBy) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                calls.Take(placedBy);
            }
        }
    }

    public readonly struct Hold(HeldCalls calls, string placedBy) : IDisposable
    {
        public void Dispose() => calls?.Drop(placedBy);
    }
}
