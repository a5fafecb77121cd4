using Fleet.Contracts;
using Fleet.Core.Invocations;

namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>Serverledge's execution report, keys in upstream order. A failure carries the error text in Output when nothing was captured.</summary>
internal sealed record InvocationResponse(
    bool Success, string Result, double ResponseTime, bool IsWarmStart, double InitTime,
    double OffloadLatency, double Duration, string SchedAction, string Output)
{
    public static InvocationResponse From(CallOutcome outcome)
    {
        var success = outcome.Status == InvocationStatus.Succeeded;
        var captured = Captured(outcome);
        var output = success || captured.Length > 0 ? captured : outcome.Error;
        return new(success, success ? outcome.Output.Json ?? "" : "", outcome.ResponseTime, outcome.IsWarmStart, outcome.InitTime, 0, outcome.Duration, "", output);
    }

    /// <summary>Upstream's Output: stdout, a newline, stderr; empty when nothing was captured.</summary>
    private static string Captured(CallOutcome outcome) =>
        outcome.Stdout.Length == 0 && outcome.Stderr.Length == 0 ? "" : $"{outcome.Stdout}\n{outcome.Stderr}";
}
