using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Fleet.Worker.Runtimes;

/// <summary>Checks JSON text without building a document.</summary>
internal static class JsonText
{
    /// <summary>Whether the text is exactly one JSON value (RFC 8259: no NaN, no trailing data).</summary>
    public static bool IsValue(string text)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(text));
        try
        {
            return IsValue(buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

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
