namespace Fleet.Core;

/// <summary>The engine's rules for every facade: timeouts, how calls are placed and kept, how long definitions are cached.</summary>
public sealed class CoreOptions
{
    public const string SectionName = "Core";

    /// <summary>A function's timeout when its definition names none.</summary>
    public int DefaultTimeoutSeconds { get; set; } = 60;

    /// <summary>The longest timeout a function may ask for.</summary>
    public int MaxTimeoutSeconds { get; set; } = 900;

    /// <summary>How long a sync call may wait for a slot on top of its function's timeout before it fails.</summary>
    public int QueueWaitSeconds { get; set; } = 30;

    /// <summary>
    /// Sync calls that find an idle warm instance in this process's view of the workers (their heartbeats) go straight
    /// to that worker, skipping the scheduler; all other calls are placed by the scheduler.
    /// </summary>
    public bool DirectWarmCalls { get; set; } = true;

    /// <summary>
    /// Records each accepted async call in the store before answering with its id, and sends again at start the
    /// recorded calls that have no outcome. On in the standalone, whose in-memory bus would lose queued calls with the
    /// process; off in the distributed fleet, where RabbitMQ keeps them on disk (it costs one store write per batch of
    /// calls submitted together).
    /// </summary>
    public bool RecordQueuedCalls { get; set; }

    /// <summary>How long a definition is served from the cache; deletions invalidate it at once.</summary>
    public int FunctionCacheSeconds { get; set; } = 5;

    /// <summary>
    /// What the secrets the fleet must read back (Fastmap's signing keys) are encrypted under in the store; every gateway
    /// needs the same. Empty: the key in <see cref="SecretsKeyFile"/>. Set it from the environment only.
    /// </summary>
    public string SecretsKey { get; set; } = "";

    /// <summary>Where the key is kept when <see cref="SecretsKey"/> is empty: made with a random key on first use (mode 600).</summary>
    public string SecretsKeyFile { get; set; } = ".fleet/secrets.key";
}
