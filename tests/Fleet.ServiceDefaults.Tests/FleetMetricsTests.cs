using System.Diagnostics.Metrics;
using Fleet.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Fleet.ServiceDefaults.Tests;

/// <summary>Fleet's instruments on its own meter: names, units, tags and values as recorded.</summary>
public sealed class FleetMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddFleetMetrics().AddFleetMetrics().BuildServiceProvider();

    private FleetMetrics Metrics => _services.GetRequiredService<FleetMetrics>();

    private IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    [Fact]
    public void An_ended_call_counts_by_function_and_outcome_and_records_its_response_time_in_seconds()
    {
        using var calls = new MetricCollector<long>(Meters, FleetMetrics.MeterName, "fleet.calls");
        using var durations = new MetricCollector<double>(Meters, FleetMetrics.MeterName, "fleet.call.duration");

        Metrics.CallEnded("isprime", InvocationStatus.Succeeded, 0.25);
        Metrics.CallEnded("isprime", InvocationStatus.TimedOut, 2);

        Assert.Equal(
            [(1L, "isprime", "succeeded"), (1L, "isprime", "timed_out")],
            calls.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["function"], m.Tags["outcome"])));
        Assert.Equal([0.25, 2.0], durations.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal(("{call}", "s"), (calls.Instrument!.Unit, durations.Instrument!.Unit));
        Assert.Contains(0.001, ((Histogram<double>)durations.Instrument).Advice!.HistogramBucketBoundaries!);
    }

    [Theory]
    [InlineData(InvocationStatus.Succeeded, "succeeded")]
    [InlineData(InvocationStatus.Failed, "failed")]
    [InlineData(InvocationStatus.TimedOut, "timed_out")]
    [InlineData(InvocationStatus.Refused, "refused")]
    public void Each_outcome_has_its_tag_value(InvocationStatus status, string outcome) => Assert.Equal(outcome, FleetMetrics.Outcome(status));

    [Fact]
    public void A_started_call_records_its_queue_wait_and_a_cold_start_only_when_it_had_one()
    {
        using var waits = new MetricCollector<double>(Meters, FleetMetrics.MeterName, "fleet.queue.wait");
        using var coldStarts = new MetricCollector<long>(Meters, FleetMetrics.MeterName, "fleet.cold_starts");
        using var coldStartTimes = new MetricCollector<double>(Meters, FleetMetrics.MeterName, "fleet.cold_start.duration");

        Metrics.CallStarted("warm", 0.002, coldStartSeconds: null);
        Metrics.CallStarted("cold", 0.5, coldStartSeconds: 0.03);
        // A clock a little behind the gateway's gives no negative wait.
        Metrics.CallStarted("skewed", -0.001, coldStartSeconds: null);

        Assert.Equal(
            [(0.002, "warm"), (0.5, "cold"), (0.0, "skewed")],
            waits.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["function"])));
        Assert.Equal([(1L, "cold")], coldStarts.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["function"])));
        Assert.Equal([0.03], coldStartTimes.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal(("{cold_start}", "s"), (coldStarts.Instrument!.Unit, coldStartTimes.Instrument!.Unit));
    }

    public void Dispose() => _services.Dispose();
}
