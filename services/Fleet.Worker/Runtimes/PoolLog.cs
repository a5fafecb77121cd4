using Microsoft.Extensions.Logging;

namespace Fleet.Worker.Runtimes;

/// <summary>The runtime layer's log events: ids and figures only, never a function's input, output or error text.</summary>
internal static partial class PoolLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information,
        Message = "Instance limits enforced by {Limiter}; sandbox {Sandbox}; unprivileged host user {DropPrivileges}")]
    public static partial void LimiterInForce(this ILogger logger, LimiterKind limiter, bool sandbox, bool dropPrivileges);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Instances run without bubblewrap (Worker:Sandbox is false): development only")]
    public static partial void SandboxDisabled(this ILogger logger);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Package {Hash} unpacked in {Milliseconds:F1} ms")]
    public static partial void PackageUnpacked(this ILogger logger, string hash, double milliseconds);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Instance {InstanceId} of {Function} started in {Milliseconds:F1} ms")]
    public static partial void InstanceStarted(this ILogger logger, string instanceId, string function, double milliseconds);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Instance {InstanceId} of {Function} failed to start")]
    public static partial void InstanceStartFailed(this ILogger logger, string instanceId, string function);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Call on instance {InstanceId} of {Function} ended {Status}; instance destroyed")]
    public static partial void InstanceBroken(this ILogger logger, string instanceId, string function, Fleet.Contracts.InvocationStatus status);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Instance {InstanceId} of {Function} stopped: {Reason}")]
    public static partial void InstanceStopped(this ILogger logger, string instanceId, string function, string reason);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Spare instances could not be started; cold starts start their own")]
    public static partial void SparesUnavailable(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Spare {InstanceId} could not be claimed ({Reason}); starting afresh")]
    public static partial void SpareNotClaimed(this ILogger logger, string instanceId, string reason);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Package {Hash} removed from the disk")]
    public static partial void PackageRemoved(this ILogger logger, string hash);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Cgroups of instance {InstanceId} could not be removed")]
    public static partial void CgroupNotRemoved(this ILogger logger, string instanceId);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Debug, Message = "Package {Hash} was not unpacked ahead of its first call")]
    public static partial void PrefetchFailed(this ILogger logger, string hash, Exception exception);
}
