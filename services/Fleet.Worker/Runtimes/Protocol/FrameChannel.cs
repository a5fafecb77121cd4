using System.Buffers;
using System.Buffers.Binary;

namespace Fleet.Worker.Runtimes.Protocol;

/// <summary>Frames on an executor's pipes: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.</summary>
internal sealed class FrameChannel(Stream toExecutor, Stream fromExecutor)
{
    /// <summary>The highest result limit a worker may be configured with (so a reply frame's bound fits an int).</summary>
    public const int MaxResultBytes = 128 << 20;

    /// <summary>What an executor may write into one item's error: the executors cut the text to this many characters.</summary>
    public const int MaxErrorChars = 2000;

    /// <summary>
    /// The largest reply to a call of <paramref name="items"/> items: the results share the result limit (ASCII JSON text
    /// is at most twice as long once escaped in the frame, base64 a third longer), stdout and stderr are each cut to it
    /// (control characters become six-byte escapes), and each item's error to <see cref="MaxErrorChars"/>. A frame beyond
    /// that is malformed.
    /// </summary>
    public static int MaxReplyBytes(int maxResultBytes, int items) =>
        (int)Math.Min(int.MaxValue, (14L * maxResultBytes) + (1 << 20) + (items * ((6L * MaxErrorChars) + 256)));

    public async Task WriteAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame.AsMemory(4));
        await toExecutor.WriteAsync(frame, cancellationToken);
        await toExecutor.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The next frame's body, read into a pooled buffer and handed to <paramref name="parse"/> (which must not keep it),
    /// or default when the executor closed its end: a reply is held once, as what it parses into.
    /// </summary>
    public async Task<T?> ReadAsync<T>(Func<ReadOnlyMemory<byte>, T> parse, int maxBytes, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (!await FillAsync(header, cancellationToken))
        {
            return default;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length < 0 || length > maxBytes)
        {
            throw new InvalidDataException($"executor frame of {length} bytes");
        }

        var body = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            return await FillAsync(body.AsMemory(0, length), cancellationToken) ? parse(body.AsMemory(0, length)) : default;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private async Task<bool> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var count = await fromExecutor.ReadAsync(buffer[read..], cancellationToken);
            if (count == 0)
            {
                return false;
            }

            read += count;
        }

        return true;
    }
}
