using Fleet.Contracts;
using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Fleet.Worker.Runtimes.HostCalls;

namespace Fleet.Worker.Runtimes.Protocol;

/// <summary>
/// The frames the worker sends to executors (protocol v2: every frame has an id, the executor's reply echoes it).
/// JSON params go into the frame as they came; bytes go as base64, which keeps one frame format and one parser on both
/// sides for the cost of a third more bytes (a binary frame type would need a second framing in every executor).
/// </summary>
internal static class ExecutorFrames
{
    public static byte[] Init(long id, string convention, string handler, string codeDirectory, int maxResultBytes) => Write(writer =>
    {
        writer.WriteString("op", "init");
        writer.WriteNumber("id", id);
        writer.WriteString("convention", convention);
        writer.WriteString("handler", handler);
        writer.WriteString("codeDir", codeDirectory);
        writer.WriteNumber("maxResultBytes", maxResultBytes);
    });

    /// <summary>
    /// Why an item cannot go to an instance of <paramref name="convention"/> (bytes where JSON params are taken or the
    /// other way round, params that are not JSON); null when it can. A batch's unfit items fail alone.
    /// </summary>
    public static string? Unfit(string convention, CallInput item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var bytes = CallConventions.TakesBytes(convention);
        return item.Bytes.HasValue != bytes ? $"a {convention} call takes {(bytes ? "bytes" : "JSON params")}"
            : !bytes && !string.IsNullOrWhiteSpace(item.Json) && !JsonText.IsValue(item.Json) ? "params are not valid JSON"
            : null;
    }

    /// <summary>
    /// A call frame; null, with the reason, when an input does not fit the convention, its params are not JSON or its
    /// entry is not a name.
    /// </summary>
    public static (byte[]? Frame, string Problem) Call(long id, CallRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Entry is { } entry && EntryNames.Problem(entry) is { } badEntry)
        {
            return (null, badEntry);
        }

        var bytes = CallConventions.TakesBytes(request.Convention);
        for (var index = 0; index < request.Items.Count; index++)
        {
            if (request.Items[index].Bytes.HasValue != bytes)
            {
                return (null, $"{Item(request, index)}a {request.Convention} call takes {(bytes ? "bytes" : "JSON params")}");
            }
        }

        try
        {
            return (Write(writer =>
            {
                writer.WriteString("op", "call");
                writer.WriteNumber("id", id);
                writer.WriteBoolean("capture", request.ReturnOutput);
                if (request.Entry is { } entry)
                {
                    writer.WriteString("entry", entry);
                }

                if (!request.IsBatch)
                {
                    WriteInput(writer, request.Items[0]);
                    return;
                }

                writer.WriteStartArray("items");
                foreach (var item in request.Items)
                {
                    writer.WriteStartObject();
                    WriteInput(writer, item);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }), "");
        }
        catch (Exception error) when (error is JsonException or ArgumentException)
        {
            return (null, request.IsBatch ? "params of an item are not valid JSON" : "params are not valid JSON");
        }
    }

    public static byte[] HostReply(long id, HostReply reply) => Write(writer =>
    {
        ArgumentNullException.ThrowIfNull(reply);
        writer.WriteString("op", "host-reply");
        writer.WriteNumber("id", id);
        writer.WriteBoolean("ok", reply.Ok);
        if (!reply.Ok)
        {
            writer.WriteString("error", reply.Error);
        }
        else if (reply.ValueJson.Length > 0)
        {
            writer.WritePropertyName("value");
            writer.WriteRawValue(reply.ValueJson);
        }
    });

    private static string Item(CallRequest request, int index) =>
        request.IsBatch ? string.Create(CultureInfo.InvariantCulture, $"item {index}: ") : "";

    private static void WriteInput(Utf8JsonWriter writer, CallInput input)
    {
        if (input.Bytes is { } bytes)
        {
            writer.WriteBase64String("input", bytes.Span);
            return;
        }

        writer.WritePropertyName("params");
        writer.WriteRawValue(string.IsNullOrWhiteSpace(input.Json) ? "{}" : input.Json);
    }

    private static byte[] Write(Action<Utf8JsonWriter> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            properties(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
