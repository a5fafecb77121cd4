using System.Collections.Concurrent;

namespace Fleet.Worker.Tests;

/// <summary>Keeps every progress value reported, in order, as it is reported (no synchronisation context involved).</summary>
internal sealed class RecordedProgress : IProgress<double>
{
    private readonly ConcurrentQueue<double> _values = new();

    public IReadOnlyList<double> Values => [.. _values];

    public void Report(double value) => _values.Enqueue(value);
}
