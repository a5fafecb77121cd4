namespace Fleet.Storage.Records;

/// <summary>
/// The one rule for record namespaces, keys and values, checked by both stores: a namespace or key is 1 to
/// <see cref="MaxLength"/> printable ASCII characters (<c>!</c> to <c>~</c>, no space). Byte order is then ordinal order
/// in both databases, and the keys with a prefix are exactly those from the prefix up to the prefix followed by DEL
/// (<see cref="UpperBound"/>): a prefix listing is one index range, with no LIKE wildcards to escape.
/// </summary>
public static class RecordKeys
{
    public const int MaxLength = 512;

    /// <summary>Records are small documents; a larger value is a caller's mistake, refused before it reaches the database.</summary>
    public const int MaxValueBytes = 64 << 10;

    /// <summary>Why <paramref name="key"/> is not a record key (or namespace), or null when it is one.</summary>
    public static string? Problem(string? key) => Problem(key, "key", mayBeEmpty: false);

    /// <summary>Throws <see cref="ArgumentException"/> when the namespace or key breaks the rule.</summary>
    public static void Ensure(string @namespace, string key)
    {
        Throw(Problem(@namespace, "namespace", mayBeEmpty: false), nameof(@namespace));
        Throw(Problem(key), nameof(key));
    }

    /// <summary>Checks a write's namespace, key and value size.</summary>
    public static void EnsureWrite(string @namespace, string key, ReadOnlyMemory<byte> value)
    {
        Ensure(@namespace, key);
        Throw(value.Length > MaxValueBytes ? $"a record's value holds at most {MaxValueBytes} bytes" : null, nameof(value));
    }

    /// <summary>Checks a listing's arguments; an empty prefix lists the whole namespace.</summary>
    public static void EnsureList(string @namespace, string keyPrefix, int limit)
    {
        Throw(Problem(@namespace, "namespace", mayBeEmpty: false), nameof(@namespace));
        ArgumentNullException.ThrowIfNull(keyPrefix);
        Throw(Problem(keyPrefix, "key prefix", mayBeEmpty: true), nameof(keyPrefix));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
    }

    /// <summary>Above every key that starts with <paramref name="keyPrefix"/>, at or below every other key after the prefix.</summary>
    internal static string UpperBound(string keyPrefix) => keyPrefix + '\x7f';

    private static string? Problem(string? text, string what, bool mayBeEmpty) =>
        string.IsNullOrEmpty(text) ? mayBeEmpty && text is not null ? null : $"a record {what} must not be empty"
        : text.Length > MaxLength ? $"a record {what} has at most {MaxLength} characters"
        : text.AsSpan().ContainsAnyExceptInRange('!', '~') ? $"a record {what} holds only printable ASCII characters (! to ~)"
        : null;

    private static void Throw(string? problem, string parameter)
    {
        if (problem is not null)
        {
            throw new ArgumentException(problem, parameter);
        }
    }
}
