namespace Fleet.Storage.State;

/// <summary>
/// Bytes a function keeps between calls, keyed by (namespace, key): a function reads and writes its own namespace's
/// values only (the worker names the namespace, never the function). Keys follow <see cref="StateKeys"/>. Every
/// operation is one atomic statement: concurrent appends to one key all land, none overwrites another.
/// Operations that make a value larger take the largest size it may reach (<see cref="StoreOptions.MaxStateValueBytes"/>)
/// and throw <see cref="StateValueTooLargeException"/>, changing nothing, when it would pass it.
/// </summary>
public interface IStateStore
{
    /// <summary>The whole value, or null when there is none.</summary>
    Task<byte[]?> ReadAsync(string @namespace, string key, CancellationToken cancellationToken);

    /// <summary>
    /// The bytes from <paramref name="offset"/>, at most <paramref name="length"/> of them: fewer when the value ends
    /// first, none when it ends at or before <paramref name="offset"/>. Null when there is no value. Both must be 0 or more.
    /// </summary>
    Task<byte[]?> ReadRangeAsync(string @namespace, string key, long offset, long length, CancellationToken cancellationToken);

    /// <summary>The value's size in bytes, or null when there is none.</summary>
    Task<long?> SizeAsync(string @namespace, string key, CancellationToken cancellationToken);

    /// <summary>Replaces the value (or creates it) with <paramref name="value"/>.</summary>
    Task WriteAsync(string @namespace, string key, ReadOnlyMemory<byte> value, long maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="bytes"/> over the value from <paramref name="offset"/> (0 or more), extending it as needed;
    /// past its end (or when there is none) the gap is filled with zero bytes. Returns the value's new size.
    /// </summary>
    Task<long> WriteAtAsync(string @namespace, string key, long offset, ReadOnlyMemory<byte> bytes, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="bytes"/> at the value's end (creating it when there is none); returns its new size.</summary>
    Task<long> AppendAsync(string @namespace, string key, ReadOnlyMemory<byte> bytes, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Deletes the value; false when there was none.</summary>
    Task<bool> DeleteAsync(string @namespace, string key, CancellationToken cancellationToken);
}
