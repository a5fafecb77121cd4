using Fleet.Contracts;
using Fleet.Placement;
using Fleet.ServiceDefaults;

namespace Fleet.Scheduler.Placement;

/// <summary>Whether a call runs, and where: refused when its deadline has passed or no capacity is left, placed otherwise.</summary>
internal static partial class Admission
{
    /// <summary>The placement, or <see cref="PlacementDecision.Refused"/> with the reason.</summary>
    public static PlacementDecision Admit(WorkerLedger ledger, InvokeFunction call, DateTimeOffset now, out string reason)
    {
        if (call.Deadline is { } deadline && deadline <= now)
        {
            ledger.CountDrop();
            reason = "deadline can no longer be met";
            return PlacementDecision.Refused;
        }

        // A call with a deadline is never parked in the queue: it would risk running late.
        var placement = ledger.Place(call.Function, mayQueue: call.Deadline is null);
        reason = placement.IsRefused ? "no capacity" : "";
        return placement;
    }

    /// <summary>The outcome of a refused call, counted as it ends here.</summary>
    public static InvocationResult Refusal(InvokeFunction call, DateTimeOffset now, string reason, FleetMetrics metrics)
    {
        var refusal = new InvocationResult
        {
            RequestId = call.RequestId,
            Status = InvocationStatus.Refused,
            Error = reason,
            ResponseTime = (now - call.ReceivedAt).TotalSeconds,
            CompletedAt = now,
        };
        metrics.CallEnded(call.Function.Key, refusal.Status, refusal.ResponseTime);
        return refusal;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {RequestId}: {Reason}")]
    public static partial void LogRefused(ILogger logger, string requestId, string reason);
}
