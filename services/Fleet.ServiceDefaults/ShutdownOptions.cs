namespace Fleet.ServiceDefaults;

/// <summary>How a service stops on SIGTERM: it drains, then its host stops, then a watchdog ends it whatever it is doing.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>Time after which the host, having stopped taking work, cancels what its consumers still run.</summary>
    private static readonly TimeSpan HostGrace = TimeSpan.FromSeconds(30);

    /// <summary>Time after the host's own limit at which the watchdog ends the process.</summary>
    private static readonly TimeSpan WatchdogGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long running calls may go on finishing after SIGTERM before they are cancelled (their messages go back to the queue).</summary>
    public int DrainSeconds { get; set; } = 60;

    public TimeSpan Drain => TimeSpan.FromSeconds(DrainSeconds);

    /// <summary>The host's own limit for stopping its services: the drain, then time to cancel and dispose.</summary>
    public TimeSpan HostLimit => Drain + HostGrace;

    /// <summary>The bound on a whole shutdown: past it the process is killed.</summary>
    public TimeSpan Bound => HostLimit + WatchdogGrace;
}
