namespace Fleet.Worker.Runtimes.Protocol;

/// <summary>
/// The rule for a call's entry point (<see cref="CallRequest.Entry"/>): a name the executors can look up in the
/// function's module, an ASCII identifier (letters, digits, underscores, not starting with a digit) of at most
/// <see cref="MaxLength"/> characters. Python and JavaScript both take every such name.
/// </summary>
internal static class EntryNames
{
    public const int MaxLength = 256;

    /// <summary>Why <paramref name="entry"/> cannot be an entry point; null when it can.</summary>
    public static string? Problem(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Length is 0 or > MaxLength)
        {
            return $"entry must have 1 to {MaxLength} characters";
        }

        return !char.IsAsciiDigit(entry[0]) && entry.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? null
            : $"entry {(entry.Length <= 64 ? entry : entry[..64] + "…")} is not a name (ASCII letters, digits and _, not starting with a digit)";
    }
}
