using System.Diagnostics;
using Fleet.Storage.Blobs;
using Fleet.Storage.Packages;
using Microsoft.Extensions.Logging;

namespace Fleet.Worker.Runtimes;

/// <summary>
/// Unpacked code packages under {run}/packages/{hash}: fetched and unpacked once per hash (concurrent callers share one
/// unpack), into a temporary directory that is renamed into place, so a half-written package is never used. Each user
/// holds a <see cref="PackageLease"/>; a package nobody holds is removed from the disk as soon as every function known
/// to use it was deleted, or once nothing has used it for the keep-alive time. Removal waits for a running unpack.
/// </summary>
internal sealed class PackageCache
{
    private const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Package> _packages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _hashOfGeneration = new(StringComparer.Ordinal);
    private readonly IBlobSource _source;
    private readonly PackageLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;

    /// <param name="stopping">Cancels unpacks under way: the pool is stopping.</param>
    public PackageCache(string root, IBlobSource source, PackageLimits limits, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        Root = Path.GetFullPath(root);
        _source = source;
        _limits = limits;
        _time = time;
        _logger = logger;
        _stopping = stopping;
    }

    public string Root { get; }

    /// <summary>Packages on the disk or being unpacked.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _packages.Count;
            }
        }
    }

    /// <summary>
    /// The code directory of a package, held on the disk until the lease is disposed; <paramref name="generation"/> is
    /// the function generation it is for. Throws <see cref="FileNotFoundException"/> when the source does not have the
    /// package and <see cref="InvalidPackageException"/> when the bytes are not a safe package or do not match the hash.
    /// </summary>
    public async Task<PackageLease> LeaseAsync(string hash, string generation, bool refresh, CancellationToken cancellationToken)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidPackageException("package hash must be 64 lower-case hex digits");
        }

        var directory = Path.Combine(Root, hash);
        Task unpacking;
        lock (_gate)
        {
            if (!_packages.TryGetValue(hash, out var package))
            {
                package = new Package();
                _packages[hash] = package;
            }

            package.Leases++;
            package.Unwanted = false;
            _hashOfGeneration[generation] = hash;
            if (package.Unpacking is null || package.Unpacking.IsFaulted || package.Unpacking.IsCanceled
                || (refresh && package.Unpacking.IsCompleted))
            {
                package.Unpacking = Task.Run(() => UnpackAsync(hash, directory), CancellationToken.None);
            }

            unpacking = package.Unpacking;
        }

        try
        {
            await unpacking.WaitAsync(cancellationToken);
        }
        catch
        {
            Release(hash);
            throw;
        }

        return new PackageLease(this, hash, directory);
    }

    /// <summary>A function generation was deleted: its package goes once no instance holds it, unless another generation uses it.</summary>
    public void Retire(string generation)
    {
        lock (_gate)
        {
            if (!_hashOfGeneration.Remove(generation, out var hash) || _hashOfGeneration.ContainsValue(hash)
                || !_packages.TryGetValue(hash, out var package))
            {
                return;
            }

            package.Unwanted = true;
            if (package.Leases == 0)
            {
                ScheduleRemoval(hash, package, DateTimeOffset.MaxValue);
            }
        }
    }

    /// <summary>Removes the packages no instance has held since <paramref name="usedBefore"/>.</summary>
    public void Sweep(DateTimeOffset usedBefore)
    {
        lock (_gate)
        {
            foreach (var (hash, package) in _packages.Where(pair => pair.Value.Leases == 0 && pair.Value.LastUsed < usedBefore).ToList())
            {
                ScheduleRemoval(hash, package, usedBefore);
            }
        }
    }

    internal void Release(string hash)
    {
        lock (_gate)
        {
            if (!_packages.TryGetValue(hash, out var package))
            {
                return;
            }

            package.Leases--;
            package.LastUsed = _time.GetUtcNow();
            if (package.Leases == 0 && package.Unwanted)
            {
                ScheduleRemoval(hash, package, DateTimeOffset.MaxValue);
            }
        }
    }

    /// <summary>After the package's unpack has ended, removes it if it is still unheld and unused since the cutoff (or unwanted).</summary>
    private void ScheduleRemoval(string hash, Package package, DateTimeOffset usedBefore) =>
        package.Unpacking?.ContinueWith(
            _ => Remove(hash, package, usedBefore), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    private void Remove(string hash, Package package, DateTimeOffset usedBefore)
    {
        var directory = Path.Combine(Root, hash);
        var removed = $"{directory}.removed-{Guid.NewGuid():N}";
        lock (_gate)
        {
            if (package.Leases > 0 || (!package.Unwanted && package.LastUsed >= usedBefore)
                || !_packages.TryGetValue(hash, out var current) || current != package)
            {
                return;
            }

            // A refresh started another unpack since this removal was scheduled: remove after that one.
            if (package.Unpacking is { IsCompleted: false })
            {
                ScheduleRemoval(hash, package, usedBefore);
                return;
            }

            _packages.Remove(hash);
            try
            {
                // Out of the way at once, under the lock: a new lease of the same hash unpacks afresh beside it.
                if (Directory.Exists(directory))
                {
                    Directory.Move(directory, removed);
                }
            }
            catch (IOException)
            {
                return;
            }
        }

        CodeTree.Delete(removed);
        _logger.PackageRemoved(hash);
    }

    private async Task<string> UnpackAsync(string hash, string directory)
    {
        var started = Stopwatch.GetTimestamp();
        var bytes = await _source.GetAsync(hash, _stopping)
            ?? throw new FileNotFoundException($"package {hash} not found");
        if (!BlobHash.Of(bytes).Equals(hash, StringComparison.Ordinal))
        {
            throw new InvalidPackageException($"package bytes do not match hash {hash}");
        }

        var temporary = Path.Combine(Root, $".unpack-{hash}-{Guid.NewGuid():N}");
        CreateDirectory(Root);
        CreateDirectory(temporary);
        try
        {
            PackageArchive.Extract(bytes, temporary, _limits, _stopping);
            Replace(directory, temporary);
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                CodeTree.Delete(temporary);
            }
        }

        var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _logger.PackageUnpacked(hash, milliseconds);
        return directory;
    }

    /// <summary>Moves the fresh tree into place; a tree already there (a refresh) is moved aside and deleted.</summary>
    private static void Replace(string directory, string temporary)
    {
        string? stale = null;
        if (Directory.Exists(directory))
        {
            stale = $"{temporary}.stale";
            Directory.Move(directory, stale);
        }

        Directory.Move(temporary, directory);
        if (stale is not null)
        {
            CodeTree.Delete(stale);
        }
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, Traversable);
        }
    }

    /// <summary>One package's bookkeeping, guarded by the cache's lock.</summary>
    private sealed class Package
    {
        public int Leases { get; set; }

        public DateTimeOffset LastUsed { get; set; }

        /// <summary>Every function generation known to use it was deleted.</summary>
        public bool Unwanted { get; set; }

        public Task? Unpacking { get; set; }
    }
}
