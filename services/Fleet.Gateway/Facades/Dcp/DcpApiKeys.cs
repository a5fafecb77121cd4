using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Core.Records;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// Fleet's DCP API keys, the Bearer form of §2: <c>Authorization: Bearer &lt;apiKey&gt;.&lt;password&gt;</c> maps to
/// the identity the key was issued to. A key is 32 random lower-case hex digits, stored only as its SHA-256 (the
/// record's key in <c>dcp/keys</c>). The password is checked too: the record keeps PBKDF2-HMAC-SHA256 of it with a
/// per-key 16-byte salt and <see cref="Iterations"/> rounds (stored with the hash, so the cost can rise later). The
/// key already carries 128 random bits; the password is a second factor, so a moderate count keeps a cache miss
/// cheap, and found tokens are cached (<see cref="DcpIdentityCache"/>): a key is never revoked.
/// </summary>
internal sealed class DcpApiKeys(FacadeRecords records, DcpIdentityCache cache)
{
    public const string Namespace = "dcp/keys";
    public const int Iterations = 100_000;

    /// <summary>A new API key for the identity; the client sends <c>Bearer</c> + key + <c>.</c> + password.</summary>
    public async Task<string> IssueAsync(string identity, string password, CancellationToken cancellationToken)
    {
        var normal = DcpAddresses.Normalize(identity) ?? throw new ArgumentException("Not a DCP address.", nameof(identity));
        ArgumentNullException.ThrowIfNull(password);
        while (true)
        {
            var apiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var salt = RandomNumberGenerator.GetBytes(16);
            var record = new KeyRecord(normal, salt, Iterations, HashPassword(password, salt, Iterations));
            var value = JsonSerializer.SerializeToUtf8Bytes(record, DcpJsonContext.Default.KeyRecord);
            if (await records.AddAsync(Namespace, Hash(apiKey), value, null, cancellationToken))
            {
                return apiKey;
            }
        }
    }

    /// <summary>The identity of a Bearer token <c>&lt;apiKey&gt;.&lt;password&gt;</c> (split at the first dot), or null.</summary>
    public async Task<string?> FindAsync(string token, CancellationToken cancellationToken)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return null;
        }

        var (apiKey, password) = (token[..dot], token[(dot + 1)..]);
        var cached = cache.KeyOf(apiKey, password);
        if (cache.TryGet(cached, out var known))
        {
            return known;
        }

        if (await records.GetAsync(Namespace, Hash(apiKey), cancellationToken) is not { } value
            || Read(value) is not { } record
            || !CryptographicOperations.FixedTimeEquals(HashPassword(password, record.Salt, record.Iterations), record.PasswordHash))
        {
            return null;
        }

        cache.Add(cached, record.Identity);
        return record.Identity;
    }

    private static KeyRecord? Read(byte[] value)
    {
        var record = JsonSerializer.Deserialize(value, DcpJsonContext.Default.KeyRecord);
        return record is { Iterations: > 0 and <= Iterations * 10, Salt.Length: > 0, PasswordHash.Length: 32 } ? record : null;
    }

    private static string Hash(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    private static byte[] HashPassword(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);

    /// <summary>What <c>dcp/keys/&lt;sha-256 of the key&gt;</c> holds.</summary>
    internal sealed record KeyRecord(string Identity, byte[] Salt, int Iterations, byte[] PasswordHash);
}
