using System.Text;
using System.Text.Json;

namespace Fleet.Worker.Runtimes.Containers;

/// <summary>
/// Serverledge's executor protocol, as a custom image's executor speaks it on port 8080: POST /invoke with
/// <c>{Command, Params, Handler, HandlerDir, ReturnOutput}</c>, answered <c>{Success, Result, Output}</c>. A custom
/// image's request has no command (its executor runs its own CUSTOM_CMD); Result is the raw text the function wrote to
/// RESULT_FILE, Output the command's combined output.
/// </summary>
internal static class ExecutorWire
{
    public const int Port = 8080;

    public const string InvokePath = "/invoke";

    /// <summary>The request body; throws <see cref="JsonException"/> when the params are not one JSON value.</summary>
    public static byte[] Request(string? paramsJson, string handler, bool returnOutput)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNull("Command");
            writer.WritePropertyName("Params");
            writer.WriteRawValue(string.IsNullOrWhiteSpace(paramsJson) ? "{}" : paramsJson);
            writer.WriteString("Handler", handler);
            writer.WriteString("HandlerDir", "");
            writer.WriteBoolean("ReturnOutput", returnOutput);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The reply, keys matched case-insensitively as Go's decoder does; null when it is not such an object.</summary>
    public static ExecutorResult? Reply(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            bool? success = null;
            string result = "", output = "";
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name.ToUpperInvariant())
                {
                    case "SUCCESS" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                        success = property.Value.GetBoolean();
                        break;
                    case "RESULT" when property.Value.ValueKind == JsonValueKind.String:
                        result = property.Value.GetString()!;
                        break;
                    case "OUTPUT" when property.Value.ValueKind == JsonValueKind.String:
                        output = property.Value.GetString()!;
                        break;
                    default:
                        break;
                }
            }

            return success is null ? null : new ExecutorResult(success.Value, result, output);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static int Utf8Bytes(string text) => Encoding.UTF8.GetByteCount(text);
}
