using System.Diagnostics;
using System.Diagnostics.Metrics;
using Fleet.Contracts;

namespace Fleet.ServiceDefaults;

/// <summary>
/// Fleet's own instruments, on the meter named <see cref="MeterName"/>: every definition is here. A call is counted
/// once, where its outcome is made (the worker that ran or refused it, the scheduler that refused it). Recording costs
/// a <see cref="TagList"/> on the stack and nothing while no listener is attached.
/// </summary>
public sealed class FleetMetrics
{
    public const string MeterName = "Fleet";

    public const string FunctionTag = "function";

    public const string OutcomeTag = "outcome";

    /// <summary>From a warm call (about a millisecond) to the longest timeout (900 s).</summary>
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    };

    private readonly Counter<long> _calls;
    private readonly Histogram<double> _callDuration;
    private readonly Counter<long> _coldStarts;
    private readonly Histogram<double> _coldStartDuration;
    private readonly Histogram<double> _queueWait;

    public FleetMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _calls = meter.CreateCounter<long>("fleet.calls", "{call}", "Calls ended, by function and outcome");
        _callDuration = meter.CreateHistogram("fleet.call.duration", "s", "From the call's receipt at the gateway to its outcome", advice: Seconds);
        _coldStarts = meter.CreateCounter<long>("fleet.cold_starts", "{cold_start}", "Instances started for a call that found none idle");
        _coldStartDuration = meter.CreateHistogram("fleet.cold_start.duration", "s", "Starting an instance and loading the function's code", advice: Seconds);
        _queueWait = meter.CreateHistogram("fleet.queue.wait", "s", "From the call's receipt at the gateway to its worker giving it a slot and its instance's memory", advice: Seconds);
    }

    /// <summary>The tag value of each outcome.</summary>
    public static string Outcome(InvocationStatus status) => status switch
    {
        InvocationStatus.Succeeded => "succeeded",
        InvocationStatus.Failed => "failed",
        InvocationStatus.TimedOut => "timed_out",
        InvocationStatus.Refused => "refused",
        _ => "unknown",
    };

    /// <summary>A call ended: <c>fleet.calls</c> and <c>fleet.call.duration</c> (its response time).</summary>
    public void CallEnded(string function, InvocationStatus status, double responseSeconds)
    {
        var tags = new TagList { { FunctionTag, function }, { OutcomeTag, Outcome(status) } };
        _calls.Add(1, tags);
        _callDuration.Record(Math.Max(0, responseSeconds), tags);
    }

    /// <summary>A call got its slot and memory after <paramref name="queueSeconds"/>; it started an instance first when <paramref name="coldStartSeconds"/> is set.</summary>
    public void CallStarted(string function, double queueSeconds, double? coldStartSeconds)
    {
        var tags = new TagList { { FunctionTag, function } };
        _queueWait.Record(Math.Max(0, queueSeconds), tags);
        if (coldStartSeconds is { } coldStart)
        {
            _coldStarts.Add(1, tags);
            _coldStartDuration.Record(coldStart, tags);
        }
    }
}
