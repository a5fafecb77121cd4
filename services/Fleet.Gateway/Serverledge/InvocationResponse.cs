using Fleet.Contracts;

namespace Fleet.Gateway.Serverledge;

/// <summary>Serverledge's execution report, keys in upstream order. A failure carries the error text in Output when nothing was captured.</summary>
internal sealed record InvocationResponse(
    bool Success, string Result, double ResponseTime, bool IsWarmStart, double InitTime,
    double OffloadLatency, double Duration, string SchedAction, string Output)
{
    public static InvocationResponse From(InvocationResult result)
    {
        var success = result.Status == InvocationStatus.Succeeded;
        var output = success || result.Output.Length > 0 ? result.Output : result.Error;
        return new(success, success ? result.Result : "", result.ResponseTime, result.IsWarmStart, result.InitTime, 0, result.Duration, "", output);
    }
}
