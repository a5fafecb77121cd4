namespace Fleet.Worker.Runtimes;

/// <summary>A hold on an unpacked package: it stays on the disk while any lease on it is undisposed.</summary>
internal sealed class PackageLease(PackageCache cache, string hash, string directory) : IDisposable
{
    private int _disposed;

    public string Directory { get; } = directory;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            cache.Release(hash);
        }
    }
}
