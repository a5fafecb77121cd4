namespace Fleet.Storage;

/// <summary>The one dedupe rule of every batch write: the first row of each key is written, later ones lose, as they would across batches.</summary>
internal static class BatchRows
{
    public static List<T> FirstPerKey<T>(IReadOnlyList<T> rows, Func<T, string> key)
    {
        var seen = new HashSet<string>(rows.Count, StringComparer.Ordinal);
        var first = new List<T>(rows.Count);
        foreach (var row in rows)
        {
            if (seen.Add(key(row)))
            {
                first.Add(row);
            }
        }

        return first;
    }
}
