using System.Text.Json;

namespace Fleet.Worker.Runtimes.Protocol;

/// <summary>
/// What an executor says of one item: <c>ok</c>, the JSON <c>result</c> text or the base64 <c>output</c> bytes, the
/// <c>returnCode</c>, the <c>error</c> and the <c>duration</c>; not yet held to the worker's limits.
/// </summary>
internal sealed record ReplyItem(bool Ok, string Result, byte[] Output, int ReturnCode, string Error, double Duration)
{
    /// <summary>Throws what <see cref="JsonElement"/> throws for a missing or mistyped field, or invalid base64.</summary>
    public static ReplyItem From(JsonElement item)
    {
        var ok = item.GetProperty("ok").GetBoolean();
        return new ReplyItem(
            ok,
            Text(item, "result"),
            item.TryGetProperty("output", out var output) ? output.GetBytesFromBase64() : [],
            item.TryGetProperty("returnCode", out var code) ? code.GetInt32() : ok ? 0 : 1,
            Text(item, "error"),
            item.TryGetProperty("duration", out var duration) ? duration.GetDouble() : 0);
    }

    public static string Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
