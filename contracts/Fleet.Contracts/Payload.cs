namespace Fleet.Contracts;

/// <summary>
/// A call's input or output, whichever shape its API speaks: JSON text (Serverledge's params and results), raw bytes
/// (Faasm's input and output), or the SHA-256 of a blob in the store, for payloads too large to ride the broker
/// (Fastmap's parts). At most one is set; none is the empty payload.
/// </summary>
public sealed record Payload
{
    public static readonly Payload Empty = new();

    public string? Json { get; init; }

    public byte[]? Bytes { get; init; }

    public string? BlobHash { get; init; }

    /// <summary>The blob holds JSON text (UTF-8) rather than bytes: it is read back as <see cref="Json"/>.</summary>
    public bool BlobIsJson { get; init; }

    public static Payload OfJson(string json) => new() { Json = json };

    public static Payload OfBytes(byte[] bytes) => new() { Bytes = bytes };

    public static Payload OfBlob(string hash, bool json = false) => new() { BlobHash = hash, BlobIsJson = json };

    /// <summary>Equal when they hold the same text, the same bytes or the same blob.</summary>
    public bool Equals(Payload? other) =>
        other is not null && Json == other.Json && BlobHash == other.BlobHash && BlobIsJson == other.BlobIsJson
        && (Bytes is null ? other.Bytes is null : other.Bytes is not null && Bytes.AsSpan().SequenceEqual(other.Bytes));

    public override int GetHashCode() => HashCode.Combine(Json, BlobHash, Bytes?.Length);
}
