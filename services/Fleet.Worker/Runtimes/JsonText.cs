using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Fleet.Worker.Runtimes;

/// <summary>Checks JSON text without building a document.</summary>
internal static class JsonText
{
    /// <summary>
    /// The text's UTF-8 length, and whether it is exactly one JSON value (RFC 8259: no NaN, no trailing data); the
    /// validity is only looked at within <paramref name="maxBytes"/>. The text is encoded once, into a pooled buffer.
    /// </summary>
    public static (int Bytes, bool IsValue) Inspect(string text, int maxBytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(text));
        try
        {
            var bytes = Encoding.UTF8.GetBytes(text, buffer);
            return (bytes, bytes <= maxBytes && IsValue(buffer.AsSpan(0, bytes)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether the text is exactly one JSON value.</summary>
    public static bool IsValue(string text) => Inspect(text, int.MaxValue).IsValue;

    private static bool IsValue(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
