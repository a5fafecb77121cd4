using System.Security.Cryptography;
using System.Text;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// Identities of credentials that already verified, so a client that sends the same Authorization header on every
/// request pays scrypt (or PBKDF2) once. Bounded: at most <see cref="Capacity"/> entries, the oldest evicted first.
/// Entries are keyed by HMAC-SHA256 of the two credential parts under a key drawn per process: the SHA-256 the
/// brief names, keyed, so that a memory dump does not give an offline oracle for passwords. Only successes are
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

    /// <summary>The cache key of a credential: <paramref name="first"/> + NUL + <paramref name="second"/>, keyed-hashed.</summary>
    public string KeyOf(string first, string second) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(first + "\0" + second)));

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
