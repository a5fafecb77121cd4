using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fleet.Core.Records;

namespace Fleet.Core.Access;

/// <summary>
/// API keys a facade issues, each a tenant of its own: a bearer token, found by its SHA-256 (the token itself is never
/// stored), and a signing key the fleet must read back to check signatures, kept sealed (<see cref="SecretSealer"/>).
/// Both are 32 random lower-case hex digits. Found keys are cached: a key is never revoked.
/// </summary>
internal sealed class ApiKeys(FacadeRecords records, SecretSealer sealer)
{
    private readonly ConcurrentDictionary<(string Realm, string TokenHash), ApiKey> _found = new();

    public async Task<IssuedKey> IssueAsync(string realm, CancellationToken cancellationToken)
    {
        while (true)
        {
            var issued = new IssuedKey(Random(8), Random(16), Random(16));
            var record = new KeyRecord(issued.Tenant, sealer.Seal(Encoding.ASCII.GetBytes(issued.SigningKey)));
            var value = JsonSerializer.SerializeToUtf8Bytes(record, CoreJsonContext.Default.KeyRecord);
            if (await records.AddAsync(Namespace(realm), Hash(issued.Token), value, null, cancellationToken))
            {
                return issued;
            }
        }
    }

    /// <summary>The key whose token is <paramref name="token"/>, or null when the realm issued none such.</summary>
    public async Task<ApiKey?> FindAsync(string realm, string token, CancellationToken cancellationToken)
    {
        var hash = Hash(token);
        if (_found.TryGetValue((realm, hash), out var known))
        {
            return known;
        }

        if (await records.GetAsync(Namespace(realm), hash, cancellationToken) is not { } value
            || JsonSerializer.Deserialize(value, CoreJsonContext.Default.KeyRecord) is not { } record
            || sealer.Open(record.SealedSigningKey) is not { } signingKey)
        {
            return null;
        }

        return _found[(realm, hash)] = new ApiKey(record.Tenant, signingKey);
    }

    private static string Namespace(string realm) => $"keys/{realm}";

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Random(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    internal sealed record KeyRecord(string Tenant, byte[] SealedSigningKey);
}

/// <summary>A key as issued: its tenant, and the two halves the client keeps.</summary>
public sealed record IssuedKey(string Tenant, string Token, string SigningKey);

/// <summary>A key as the facade checks requests with it: its tenant and the signing key's bytes (ASCII of its hex).</summary>
public sealed record ApiKey(string Tenant, byte[] SigningKey);
