namespace Fleet.Worker.Tests;

/// <summary>A wall clock the tests move by hand; timers and timestamps stay real (call timeouts still fire).</summary>
internal sealed class ManualTime : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }
}
