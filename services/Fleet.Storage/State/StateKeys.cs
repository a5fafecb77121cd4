using System.Buffers;

namespace Fleet.Storage.State;

/// <summary>
/// The one rule for state keys, checked by the store and by whoever takes a key from a function: 1 to
/// <see cref="MaxLength"/> characters of ASCII letters, digits and <c>- _ . : / @ + =</c>.
/// </summary>
public static class StateKeys
{
    public const int MaxLength = 256;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@+=");

    /// <summary>Why <paramref name="key"/> is not a state key, or null when it is one.</summary>
    public static string? Problem(string? key) =>
        string.IsNullOrEmpty(key) ? "a state key must not be empty"
        : key.Length > MaxLength ? $"a state key has at most {MaxLength} characters"
        : key.AsSpan().ContainsAnyExcept(Allowed) ? "a state key holds only ASCII letters, digits and - _ . : / @ + ="
        : null;

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="key"/> is not a state key.</summary>
    public static void Ensure(string @namespace, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        if (Problem(key) is { } problem)
        {
            throw new ArgumentException(problem, nameof(key));
        }
    }

    /// <summary>
    /// Checks a write's arguments; throws <see cref="StateValueTooLargeException"/> when the value it makes reaches
    /// past <paramref name="maxBytes"/> whatever it holds already.
    /// </summary>
    public static void EnsureWrite(string @namespace, string key, long offset, int length, long maxBytes)
    {
        Ensure(@namespace, key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        if (offset > maxBytes - length)
        {
            throw new StateValueTooLargeException(key, maxBytes);
        }
    }

    /// <summary>An offset or length as the databases take it: no value is larger than 2 GiB, so a larger one means "past the end".</summary>
    internal static int Clamp(long value) => (int)Math.Min(value, int.MaxValue - 1);
}
