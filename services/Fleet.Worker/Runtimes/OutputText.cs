using System.Text;

namespace Fleet.Worker.Runtimes;

/// <summary>Captured output held to a byte limit, cut as the executors cut it.</summary>
internal static class OutputText
{
    public const string TruncatedMark = "\n[output truncated]";

    /// <summary>The text, or its first <paramref name="maxBytes"/> UTF-8 bytes (no character split) and <see cref="TruncatedMark"/>.</summary>
    public static string Cut(string text, int maxBytes)
    {
        if (text.Length <= maxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var bytes = 0;
        var chars = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > maxBytes)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            chars += rune.Utf16SequenceLength;
        }

        return string.Concat(text.AsSpan(0, chars), TruncatedMark);
    }
}
