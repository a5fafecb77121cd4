using System.Text.Json;
using Fleet.Contracts;
using Fleet.Storage.Calls;

namespace Fleet.Storage;

/// <summary>How both stores write and read their documents.</summary>
internal static class StoreDocuments
{
    public static string Write(FunctionSpec function) =>
        JsonSerializer.Serialize(function, StoreJsonContext.Default.FunctionSpec);

    public static string Write(InvocationResult result) =>
        JsonSerializer.Serialize(result, StoreJsonContext.Default.InvocationResult);

    public static string Write(InvokeFunction request) =>
        JsonSerializer.Serialize(request, StoreJsonContext.Default.InvokeFunction);

    public static QueuedCall ReadQueued(string requestJson, DateTimeOffset expiresAt) =>
        new()
        {
            Request = JsonSerializer.Deserialize(StoredDocumentUpgrade.Request(requestJson), StoreJsonContext.Default.InvokeFunction)
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
            Result = JsonSerializer.Deserialize(StoredDocumentUpgrade.Outcome(resultJson), StoreJsonContext.Default.InvocationResult)
                     ?? throw new JsonException("A stored call result is null."),
        };

    /// <summary>Ordinal (UTF-16) order, which neither database's collation gives exactly.</summary>
    public static List<string> InOrdinalOrder(List<string> names)
    {
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
