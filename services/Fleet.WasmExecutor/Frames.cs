using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Fleet.WasmExecutor;

/// <summary>Protocol v2's frames: a 4-byte big-endian length and UTF-8 JSON, read from fd 3 and written to fd 4.</summary>
internal sealed class Frames(Stream input, Stream output)
{
    private readonly ArrayBufferWriter<byte> _body = new();

    public static Frames OpenProtocolPipes() => new(
        new FileStream(new SafeFileHandle(3, ownsHandle: true), FileAccess.Read, bufferSize: 0),
        new FileStream(new SafeFileHandle(4, ownsHandle: true), FileAccess.Write, bufferSize: 0));

    /// <summary>The next frame, or null when the worker closed the pipe.</summary>
    public JsonElement? Receive()
    {
        Span<byte> header = stackalloc byte[4];
        if (!ReadExactly(header))
        {
            return null;
        }

        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        if (!ReadExactly(body))
        {
            return null;
        }

        return Parse(body);
    }

    public static JsonElement Parse(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public void Send(Action<Utf8JsonWriter> write)
    {
        _body.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, _body.WrittenCount);
        output.Write(header);
        output.Write(_body.WrittenSpan);
        output.Flush();
    }

    private bool ReadExactly(Span<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = input.Read(buffer[read..]);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
