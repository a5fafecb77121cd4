namespace Fleet.Storage;

/// <summary>
/// One column of a batch write, named as its SQL parameter: defined once per aggregate, and bound by each provider
/// its own way (PostgreSQL: one array per column for <c>unnest</c>; SQLite: one prepared row at a time).
/// </summary>
internal sealed class BatchColumn<T>
{
    private BatchColumn(string name, Func<T, string>? text, Func<T, DateTimeOffset>? time)
    {
        Name = name;
        TextOf = text;
        TimeOf = time;
    }

    public string Name { get; }

    /// <summary>Set for a text column.</summary>
    public Func<T, string>? TextOf { get; }

    /// <summary>Set for a timestamp column.</summary>
    public Func<T, DateTimeOffset>? TimeOf { get; }

    public static BatchColumn<T> Text(string name, Func<T, string> value) => new(name, value, null);

    public static BatchColumn<T> Time(string name, Func<T, DateTimeOffset> value) => new(name, null, value);
}
