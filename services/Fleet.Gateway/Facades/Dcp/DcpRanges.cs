namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// The slices a result request names (spec §3.3): each <c>range</c> value (also <c>range[]</c>) is <c>m-n</c> or
/// <c>n</c>, inclusive and 1-based, several per value separated by commas; their union, merged into ascending
/// disjoint intervals. None: every slice.
/// </summary>
internal static class DcpRanges
{
    /// <summary>The intervals, or null with the problem when a value is not a range.</summary>
    public static List<(int From, int To)>? Parse(IEnumerable<string?> values, out string problem)
    {
        problem = "";
        var ranges = new List<(int From, int To)>();
        foreach (var part in values.SelectMany(value => (value ?? "").Split(',', StringSplitOptions.TrimEntries)))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var (first, last) = dash < 0 ? (part, part) : (part[..dash], part[(dash + 1)..]);
            if (!int.TryParse(first, System.Globalization.NumberStyles.None, null, out var from)
                || !int.TryParse(last, System.Globalization.NumberStyles.None, null, out var to) || from < 1 || from > to)
            {
                problem = $"range '{part}' is not m-n with 1 <= m <= n";
                return null;
            }

            ranges.Add((from, to));
        }

        return Merged(ranges);
    }

    private static List<(int From, int To)> Merged(List<(int From, int To)> ranges)
    {
        ranges.Sort();
        var merged = new List<(int From, int To)>();
        foreach (var range in ranges)
        {
            if (merged.Count > 0 && range.From <= merged[^1].To + 1L)
            {
                merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, range.To));
            }
            else
            {
                merged.Add(range);
            }
        }

        return merged;
    }
}
