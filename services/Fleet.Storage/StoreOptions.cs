namespace Fleet.Storage;

public sealed class StoreOptions
{
    public const string SectionName = "Store";

    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Npgsql or Microsoft.Data.Sqlite connection string. Secrets come from the environment (Store__ConnectionString).</summary>
    public string ConnectionString { get; set; } = "Data Source=.fleet/data/fleet.db";

    /// <summary>
    /// The largest state value a function may keep (<see cref="State.IStateStore"/>): 16 MiB. Every write at an offset
    /// and every append rewrites the whole value in both databases, so the bound keeps one write's cost bounded too.
    /// </summary>
    public long MaxStateValueBytes { get; set; } = DefaultMaxStateValueBytes;

    public const long DefaultMaxStateValueBytes = 16 << 20;

    /// <summary>How long an async call's outcome stays pollable after it completes.</summary>
    public int CallRetentionSeconds { get; set; } = 1800;

    /// <summary>How long <paramref name="call"/>'s record is kept: its own retention, else <see cref="CallRetentionSeconds"/>.</summary>
    public TimeSpan RetentionOf(Contracts.InvokeFunction call) => TimeSpan.FromSeconds(call.RetentionSeconds ?? CallRetentionSeconds);

    /// <summary>
    /// The largest call input or output that rides the broker inside its message; a larger one is put in the blob store
    /// (expiring with the call's record) and travels as its hash (<see cref="Blobs.PayloadBlobs"/>).
    /// </summary>
    public int InlinePayloadBytes { get; set; } = 256 << 10;

    /// <summary>How often the scheduler deletes expired outcomes and records and unused packages from the store.</summary>
    public int PurgeIntervalSeconds { get; set; } = 60;
}
