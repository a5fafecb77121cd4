using Microsoft.Extensions.Logging;

namespace Fleet.Storage;

/// <summary>The store's log lines: counts and ids, never a function's input, output or a secret.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Store ({Provider}): applied migration {Version} ({Script})")]
    public static partial void MigrationApplied(ILogger logger, string provider, int version, string script);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Store ({Provider}): schema at version {Version}")]
    public static partial void SchemaCurrent(ILogger logger, string provider, int version);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Store: {Stored} of {Count} call outcomes stored; the rest already had one")]
    public static partial void OutcomesSaved(ILogger logger, int stored, int count);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "Store: purged {Count} expired calls")]
    public static partial void CallsPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Debug, Message = "Store: purged {Count} blobs, expired or unused")]
    public static partial void BlobsPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Debug, Message = "Store: purged {Count} expired records")]
    public static partial void RecordsPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Debug, Message = "Store: purged {Count} expired jobs with their slices")]
    public static partial void JobsPurged(ILogger logger, int count);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Warning, Message = "Store: the server had ended the session; trying once more on a new one")]
    public static partial void SessionGone(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Store: ping failed")]
    public static partial void PingFailed(ILogger logger, Exception exception);
}
