using System.Security.Cryptography;

namespace Fleet.Storage.Blobs;

/// <summary>The one rule for a blob's key: the lower-case hex SHA-256 of its bytes.</summary>
public static class BlobHash
{
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="hash"/> is the hash of <paramref name="bytes"/>.</summary>
    public static void EnsureMatches(string hash, ReadOnlySpan<byte> bytes)
    {
        if (!string.Equals(Of(bytes), hash, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Blob hash '{hash}' is not the SHA-256 of its {bytes.Length} bytes.", nameof(hash));
        }
    }
}
