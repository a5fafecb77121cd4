using System.Security.Cryptography;
using System.Text;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// Identities of credentials that already verified, so a client that sends the same Authorization header on every
/// request pays scrypt (or PBKDF2) once. Bounded: at most <see cref="Capacity"/> entries, the oldest evicted first.
/// Entries are keyed by HMAC-SHA256 of the two credential parts (keystore JSON and password, or API key and
/// password) under a key drawn per process, rather than a plain SHA-256, so that a memory dump gives no fast offline
/// oracle for the passwords. Each user of the cache has an instance of its own (see <see cref="DcpIdentity"/>). Only successes are
/// kept (a failure is never cached, so guessing costs a full derivation each time).
/// </summary>
internal sealed class DcpIdentityCache(int capacity = DcpIdentityCache.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, string> _identities = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _identities.Count;
            }
        }
    }

    /// <summary>
    /// The cache key of a credential's two parts, keyed-hashed. The first part's length leads, so no split of the same
    /// text into other parts (a NUL may occur in a decoded Basic header) gives the same key.
    /// </summary>
    public string KeyOf(string first, string second) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{first.Length}:{first}\0{second}")));

    public bool TryGet(string key, out string identity)
    {
        lock (_lock)
        {
            return _identities.TryGetValue(key, out identity!);
        }
    }

    public void Add(string key, string identity)
    {
        lock (_lock)
        {
            if (!_identities.TryAdd(key, identity))
            {
                return;
            }

            _order.Enqueue(key);
            while (_identities.Count > Capacity)
            {
                _identities.Remove(_order.Dequeue());
            }
        }
    }
}
