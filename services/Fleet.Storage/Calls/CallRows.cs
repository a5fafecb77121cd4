namespace Fleet.Storage.Calls;

/// <summary>How calls map to rows of <c>calls</c>, for both providers' batch writes and reads.</summary>
internal static class CallRows
{
    public static readonly BatchColumn<QueuedCall>[] Queued =
    [
        BatchColumn<QueuedCall>.Text("id", c => c.Request.RequestId),
        BatchColumn<QueuedCall>.Text("function", c => c.Request.Function.Name),
        BatchColumn<QueuedCall>.Time("created_at", c => c.Request.ReceivedAt),
        BatchColumn<QueuedCall>.Time("expires_at", c => c.ExpiresAt),
        BatchColumn<QueuedCall>.Text("request", c => StoreDocuments.Write(c.Request)),
    ];

    public static readonly BatchColumn<CallRecord>[] Outcome =
    [
        BatchColumn<CallRecord>.Text("id", c => c.Id),
        BatchColumn<CallRecord>.Text("function", c => c.Function),
        BatchColumn<CallRecord>.Time("created_at", c => c.CreatedAt),
        BatchColumn<CallRecord>.Time("expires_at", c => c.ExpiresAt),
        BatchColumn<CallRecord>.Time("completed_at", c => c.Result.CompletedAt),
        BatchColumn<CallRecord>.Text("result", c => StoreDocuments.Write(c.Result)),
    ];

    public static readonly BatchColumn<string>[] Id = [BatchColumn<string>.Text("id", id => id)];

    /// <summary>Unfinished calls with a request, by id after <c>@after</c>: the same SQL for both providers.</summary>
    public const string ListUnfinishedSql = """
        SELECT request, expires_at
        FROM calls
        WHERE state <> 'completed' AND request IS NOT NULL AND expires_at > @now AND id > @after
        ORDER BY id
        LIMIT @limit
        """;

    /// <summary>A call's row unless expired: the same SQL for both providers.</summary>
    public const string GetSql = """
        SELECT state, function, created_at, expires_at, result
        FROM calls
        WHERE id = @id AND expires_at > @now
        """;

    public static List<QueuedCall> FirstPerCall(IReadOnlyList<QueuedCall> calls) => BatchRows.FirstPerKey(calls, c => c.Request.RequestId);

    public static List<CallRecord> FirstPerCall(IReadOnlyList<CallRecord> outcomes) => BatchRows.FirstPerKey(outcomes, c => c.Id);

    public static List<string> FirstPerCall(IReadOnlyList<string> ids) => BatchRows.FirstPerKey(ids, id => id);
}

