using System.Text.Json;

namespace Fleet.WasmExecutor;

/// <summary>Host calls to the worker during a call: a request frame, then a wait for its answer (protocol v2's "host").</summary>
internal sealed class WorkerChannel(Frames frames)
{
    /// <summary>A state read carries at most this much (the worker's StateHostCalls.MaxReadBytes).</summary>
    public const int MaxReadBytes = 4 << 20;

    /// <summary>A state write carries at most this much, so that its frame stays under the worker's 1 MiB request limit.</summary>
    public const int MaxWriteBytes = 512 << 10;

    private int _lastId;

    /// <summary>The answer's value (Undefined when it has none); <see cref="HostCallException"/> when refused.</summary>
    public JsonElement Call(string call, Action<Utf8JsonWriter> fields)
    {
        var id = ++_lastId;
        frames.Send(writer =>
        {
            writer.WriteString("op", "host");
            writer.WriteNumber("id", id);
            writer.WriteString("call", call);
            fields(writer);
        });
        var received = frames.Receive();
        if (received is not { } reply || !reply.TryGetProperty("op", out var op) || op.GetString() != "host-reply"
            || !reply.TryGetProperty("id", out var replyId) || replyId.GetInt32() != id)
        {
            // Out of step with the worker: nothing more can be answered.
            Environment.Exit(70);
            throw new InvalidOperationException("unreachable");
        }

        if (!reply.TryGetProperty("ok", out var ok) || !ok.GetBoolean())
        {
            throw new HostCallException($"{call}: {(reply.TryGetProperty("error", out var error) ? error.GetString() : "refused")}");
        }

        return reply.TryGetProperty("value", out var value) ? value : default;
    }

    /// <summary><paramref name="length"/> bytes of the value at <paramref name="offset"/>, zero-padded where it is shorter or absent.</summary>
    public byte[] ReadRange(string call, string key, long offset, int length)
    {
        var data = new byte[length];
        var done = 0;
        while (done < length)
        {
            var piece = Math.Min(length - done, MaxReadBytes);
            var start = offset + done;
            var value = Call(call, writer =>
            {
                writer.WriteString("key", key);
                writer.WriteNumber("offset", start);
                writer.WriteNumber("length", piece);
            });
            var bytes = value.ValueKind == JsonValueKind.String ? value.GetBytesFromBase64() : [];
            bytes.CopyTo(data, done);
            done += piece;
            if (bytes.Length < piece)
            {
                break;
            }
        }

        return data;
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> (null: replaces the value) in pieces; the new size.</summary>
    public long Write(string key, ReadOnlySpan<byte> data, long? offset)
    {
        long size = 0;
        var start = 0;
        do
        {
            var piece = data.Slice(start, Math.Min(MaxWriteBytes, data.Length - start)).ToArray();
            long? at = start == 0 ? offset : (offset ?? 0) + start;
            size = Call("state.write", writer =>
            {
                writer.WriteString("key", key);
                writer.WriteBase64String("value", piece);
                if (at is { } position)
                {
                    writer.WriteNumber("offset", position);
                }
            }).GetInt64();
            start += piece.Length;
        }
        while (start < data.Length);
        return size;
    }

    /// <summary>A shared file's bytes (Faasm's <c>PUT /file</c>), read in pieces, or null when there is none.</summary>
    public byte[]? ReadFile(string path)
    {
        using var file = new MemoryStream();
        for (var offset = 0L; ; offset += MaxReadBytes)
        {
            var start = offset;
            var piece = Call("file.read", writer =>
            {
                writer.WriteString("key", path);
                writer.WriteNumber("offset", start);
                writer.WriteNumber("length", MaxReadBytes);
            });
            if (piece.ValueKind != JsonValueKind.String)
            {
                return offset == 0 ? null : file.ToArray();
            }

            var bytes = piece.GetBytesFromBase64();
            file.Write(bytes);
            if (bytes.Length < MaxReadBytes)
            {
                return file.ToArray();
            }
        }
    }

    public long? Size(string key) =>
        Call("state.size", writer => writer.WriteString("key", key)) is { ValueKind: JsonValueKind.Number } size ? size.GetInt64() : null;
}
