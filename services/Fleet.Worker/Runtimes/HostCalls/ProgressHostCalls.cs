using System.Text.Json;

namespace Fleet.Worker.Runtimes.HostCalls;

/// <summary>
/// Answers <c>{"call":"progress","value":x}</c> (x from 0 to 1) by reporting x to <paramref name="progress"/>, and
/// <c>{"call":"progress"}</c> without a value (DCP's <c>progress()</c>, a sign of life without a fraction) by reporting
/// <see cref="double.NaN"/>; hands every other call to <paramref name="next"/> (none by default).
/// </summary>
internal sealed class ProgressHostCalls(IProgress<double> progress, IHostCallHandler? next = null) : IHostCallHandler
{
    public const string Call = "progress";

    public ValueTask<HostReply> HandleAsync(HostRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Call != Call)
        {
            return (next ?? UnavailableHostCalls.Instance).HandleAsync(request, cancellationToken);
        }

        if (!request.Frame.TryGetProperty("value", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            progress.Report(double.NaN);
            return ValueTask.FromResult(HostReply.Done);
        }

        if (value.ValueKind != JsonValueKind.Number
            || !value.TryGetDouble(out var fraction) || fraction is not (>= 0 and <= 1))
        {
            return ValueTask.FromResult(HostReply.Failed("progress takes a number from 0 to 1"));
        }

        progress.Report(fraction);
        return ValueTask.FromResult(HostReply.Done);
    }
}
