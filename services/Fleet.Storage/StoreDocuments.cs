using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Contracts;

namespace Fleet.Storage;

/// <summary>The rules both stores share: how documents map to rows and what a valid write is.</summary>
internal static class StoreDocuments
{
    /// <summary>Recorded calls with no outcome, by id after <c>@after</c>: the same SQL for both providers.</summary>
    public const string ListQueuedSql = """
        SELECT request, expires_at
        FROM calls
        WHERE result IS NULL AND request IS NOT NULL AND expires_at > @now AND id > @after
        ORDER BY id
        LIMIT @limit
        """;

    public static string Write(FunctionSpec function) =>
        JsonSerializer.Serialize(function, StoreJsonContext.Default.FunctionSpec);

    public static string Write(InvocationResult result) =>
        JsonSerializer.Serialize(result, StoreJsonContext.Default.InvocationResult);

    public static string Write(InvokeFunction request) =>
        JsonSerializer.Serialize(request, StoreJsonContext.Default.InvokeFunction);

    public static QueuedCall ReadQueued(string requestJson, DateTimeOffset expiresAt) =>
        new()
        {
            Request = JsonSerializer.Deserialize(requestJson, StoreJsonContext.Default.InvokeFunction)
                      ?? throw new JsonException("A stored call request is null."),
            ExpiresAt = expiresAt,
        };

    public static FunctionSpec ReadFunction(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.FunctionSpec)
        ?? throw new JsonException("A stored function document is null.");

    public static CallRecord ReadCall(string id, string function, DateTimeOffset createdAt, DateTimeOffset expiresAt, string resultJson) =>
        new()
        {
            Id = id,
            Function = function,
            CreatedAt = createdAt,
            ExpiresAt = expiresAt,
            Result = JsonSerializer.Deserialize(resultJson, StoreJsonContext.Default.InvocationResult)
                     ?? throw new JsonException("A stored call result is null."),
        };

    /// <summary>Packages are content-addressed: the key must be the lower-case hex SHA-256 of the bytes.</summary>
    public static void EnsureHashMatches(string hash, ReadOnlySpan<byte> bytes)
    {
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(actual, hash, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Package hash '{hash}' is not the SHA-256 of its {bytes.Length} bytes.", nameof(hash));
        }
    }

    /// <summary>The first outcome given for each call; later ones in the same batch lose, as they would across batches.</summary>
    public static List<CallRecord> FirstPerCall(IReadOnlyList<CallRecord> outcomes)
    {
        var seen = new HashSet<string>(outcomes.Count, StringComparer.Ordinal);
        var first = new List<CallRecord>(outcomes.Count);
        foreach (var outcome in outcomes)
        {
            if (seen.Add(outcome.Id))
            {
                first.Add(outcome);
            }
        }

        return first;
    }

    /// <summary>Ordinal (UTF-16) order, which neither database's collation gives exactly.</summary>
    public static List<string> InOrdinalOrder(List<string> names)
    {
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
