using System.Buffers;
using MessagePack;

namespace Fleet.Gateway.Facades.Fastmap;

/// <summary>
/// MessagePack as Python's msgpack 1.0 (<c>use_bin_type=True</c>) speaks it, over MessagePack-CSharp's reader and
/// writer. Values are plain objects: null, bool, long, double, string, byte[] (bin), <see cref="List{T}"/> of values and
/// <see cref="Dictionary{TKey,TValue}"/> of string keys. Written bytes equal Python's for the same object: integers at
/// their smallest encoding, floats as float 64, strings as str (str 8 from 32 bytes), bytes as bin.
/// </summary>
internal static class Msgpack
{
    /// <summary>Deeper documents than any Fastmap body are refused rather than read.</summary>
    private const int MaxDepth = 32;

    public static byte[] Write(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        WriteValue(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The one document <paramref name="bytes"/> holds; <see cref="MalformedMsgpackException"/> when they hold anything else.</summary>
    public static object? Read(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        try
        {
            var value = ReadValue(ref reader, 0);
            return reader.End ? value : throw new MalformedMsgpackException("bytes after the document");
        }
        catch (Exception error) when (error is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            throw new MalformedMsgpackException(error.Message);
        }
    }

    private static void WriteValue(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                break;
            case bool flag:
                writer.Write(flag);
                break;
            case int number:
                writer.Write((long)number);
                break;
            case long number:
                // MessagePackWriter.Write(long) picks the smallest encoding, as Python does.
                writer.Write(number);
                break;
            case double number:
                writer.Write(number);
                break;
            case string text:
                writer.Write(text);
                break;
            case byte[] bytes:
                writer.Write(bytes);
                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteMapHeader(map.Count);
                foreach (var (key, item) in map)
                {
                    writer.Write(key);
                    WriteValue(ref writer, item);
                }

                break;
            case IReadOnlyList<object?> list:
                writer.WriteArrayHeader(list.Count);
                foreach (var item in list)
                {
                    WriteValue(ref writer, item);
                }

                break;
            default:
                throw new ArgumentException($"{value.GetType().Name} has no msgpack form here", nameof(value));
        }
    }

    private static object? ReadValue(ref MessagePackReader reader, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new MalformedMsgpackException($"nested deeper than {MaxDepth} levels");
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Boolean:
                return reader.ReadBoolean();
            case MessagePackType.Integer:
                return reader.ReadInt64();
            case MessagePackType.Float:
                return reader.ReadDouble();
            case MessagePackType.String:
                return reader.ReadString();
            case MessagePackType.Binary:
                return reader.ReadBytes() is { } bytes ? bytes.ToArray() : null;
            case MessagePackType.Array:
                var count = reader.ReadArrayHeader();
                var list = new List<object?>(Math.Min(count, 1024));
                for (var i = 0; i < count; i++)
                {
                    list.Add(ReadValue(ref reader, depth + 1));
                }

                return list;
            case MessagePackType.Map:
                var entries = reader.ReadMapHeader();
                var map = new Dictionary<string, object?>(Math.Min(entries, 1024), StringComparer.Ordinal);
                for (var i = 0; i < entries; i++)
                {
                    if (reader.NextMessagePackType != MessagePackType.String)
                    {
                        throw new MalformedMsgpackException("a map key is not a string");
                    }

                    map[reader.ReadString()!] = ReadValue(ref reader, depth + 1);
                }

                return map;
            default:
                throw new MalformedMsgpackException($"unsupported msgpack type {reader.NextMessagePackType}");
        }
    }
}

/// <summary>The bytes are not one msgpack document of the kinds Fastmap sends.</summary>
internal sealed class MalformedMsgpackException(string message) : Exception(message);
