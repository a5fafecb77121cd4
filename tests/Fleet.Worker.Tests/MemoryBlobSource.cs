using System.Collections.Concurrent;
using Fleet.Worker.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>The store's blobs, in memory: bytes by SHA-256.</summary>
internal sealed class MemoryBlobSource : IBlobSource
{
    private readonly ConcurrentDictionary<string, byte[]> _packages = new(StringComparer.Ordinal);

    /// <summary>Stores the bytes under their hash (whatever they are) and returns the hash.</summary>
    public string Add(byte[] bytes)
    {
        var hash = CodePackage.Hash(bytes);
        _packages[hash] = bytes;
        return hash;
    }

    public Task<byte[]?> GetAsync(string hash, CancellationToken cancellationToken) =>
        Task.FromResult(_packages.GetValueOrDefault(hash));
}
