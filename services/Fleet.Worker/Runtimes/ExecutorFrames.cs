using System.Buffers;
using System.Text.Json;
using Fleet.Contracts;

namespace Fleet.Worker.Runtimes;

/// <summary>The frames the worker sends to executors. Modes besides "serverledge" (faasm, fastmap, dcp, wasm) add init fields.</summary>
internal static class ExecutorFrames
{
    public const string ServerledgeMode = "serverledge";

    public static byte[] Init(FunctionSpec function, string codeDirectory, int maxResultBytes) => Write(writer =>
    {
        writer.WriteString("op", "init");
        writer.WriteString("mode", ServerledgeMode);
        writer.WriteString("handler", function.Handler);
        writer.WriteString("codeDir", codeDirectory);
        writer.WriteNumber("maxResultBytes", maxResultBytes);
    });

    /// <summary>A call frame carrying the params as given; null when they are not valid JSON.</summary>
    public static byte[]? Call(string paramsJson, bool capture)
    {
        try
        {
            return Write(writer =>
            {
                writer.WriteString("op", "call");
                writer.WriteBoolean("capture", capture);
                writer.WritePropertyName("params");
                writer.WriteRawValue(string.IsNullOrWhiteSpace(paramsJson) ? "{}" : paramsJson);
            });
        }
        catch (Exception error) when (error is JsonException or ArgumentException)
        {
            return null;
        }
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
