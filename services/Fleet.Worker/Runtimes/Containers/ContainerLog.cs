using Microsoft.Extensions.Logging;

namespace Fleet.Worker.Runtimes.Containers;

/// <summary>The container engine's log events: ids and figures only.</summary>
internal static partial class ContainerLog
{
    [LoggerMessage(EventId = 3040, Level = LogLevel.Information, Message = "Custom images run on the Docker engine at {Endpoint}")]
    public static partial void EngineFound(this ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Information, Message = "No Docker engine answers at {Endpoint} ({Reason}): the custom runtime is not offered")]
    public static partial void EngineUnavailable(this ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 3042, Level = LogLevel.Information, Message = "Worker:DockerEndpoint is empty: the custom runtime is not offered")]
    public static partial void EngineDisabled(this ILogger logger);

    [LoggerMessage(EventId = 3043, Level = LogLevel.Information, Message = "Removed {Count} containers of this worker")]
    public static partial void ContainersRemoved(this ILogger logger, int count);

    [LoggerMessage(EventId = 3044, Level = LogLevel.Warning, Message = "Containers of this worker could not be listed or removed ({Reason})")]
    public static partial void ContainersNotRemoved(this ILogger logger, string reason);
}
