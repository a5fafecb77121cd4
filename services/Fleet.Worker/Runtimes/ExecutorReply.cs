using System.Text.Json;

namespace Fleet.Worker.Runtimes;

/// <summary>An executor's answer to an init or call frame.</summary>
internal sealed record ExecutorReply(bool Ok, string Result, string Output, string Error, double Duration)
{
    /// <summary>Throws <see cref="InvalidDataException"/> when the frame is not a reply.</summary>
    public static ExecutorReply Parse(ReadOnlyMemory<byte> frame)
    {
        try
        {
            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            return new ExecutorReply(
                root.GetProperty("ok").GetBoolean(),
                Text(root, "result"),
                Text(root, "output"),
                Text(root, "error"),
                root.TryGetProperty("duration", out var duration) ? duration.GetDouble() : 0);
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException("malformed executor reply", error);
        }
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
