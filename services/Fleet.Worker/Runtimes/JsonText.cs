using System.Text;
using System.Text.Json;

namespace Fleet.Worker.Runtimes;

/// <summary>Checks JSON text without building a document.</summary>
internal static class JsonText
{
    /// <summary>Whether the text is exactly one JSON value (RFC 8259: no NaN, no trailing data).</summary>
    public static bool IsValue(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
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
