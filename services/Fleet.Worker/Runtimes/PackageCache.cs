using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Fleet.Storage.Packages;
using Microsoft.Extensions.Logging;

namespace Fleet.Worker.Runtimes;

/// <summary>
/// Unpacked code packages under {DataDirectory}/packages/{hash}: fetched and unpacked once per hash (concurrent callers
/// share one unpack), into a temporary directory that is renamed into place, so a half-written package is never used.
/// </summary>
internal sealed class PackageCache
{
    private const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _unpacking = new(StringComparer.Ordinal);
    private readonly IPackageSource _source;
    private readonly PackageLimits _limits;
    private readonly ILogger _logger;

    public PackageCache(string root, IPackageSource source, PackageLimits limits, ILogger logger)
    {
        Root = Path.GetFullPath(root);
        _source = source;
        _limits = limits;
        _logger = logger;
    }

    public string Root { get; }

    /// <summary>
    /// The code directory of a package. Throws <see cref="FileNotFoundException"/> when the source does not have it and
    /// <see cref="InvalidPackageException"/> when the bytes are not a safe package or do not match the hash.
    /// </summary>
    public async Task<string> GetAsync(string hash, bool refresh, CancellationToken cancellationToken)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidPackageException("package hash must be 64 lower-case hex digits");
        }

        var directory = Path.Combine(Root, hash);
        if (!refresh && Directory.Exists(directory))
        {
            return directory;
        }

        var unpacking = _unpacking.GetOrAdd(hash, key => new Lazy<Task<string>>(() => Task.Run(() => UnpackAsync(key, directory))));
        return await unpacking.Value.WaitAsync(cancellationToken);
    }

    private async Task<string> UnpackAsync(string hash, string directory)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            var bytes = await _source.GetPackageAsync(hash, CancellationToken.None)
                ?? throw new FileNotFoundException($"package {hash} not found");
            if (!Convert.ToHexStringLower(SHA256.HashData(bytes)).Equals(hash, StringComparison.Ordinal))
            {
                throw new InvalidPackageException($"package bytes do not match hash {hash}");
            }

            var temporary = Path.Combine(Root, $".unpack-{hash}-{Guid.NewGuid():N}");
            CreateDirectory(Root);
            CreateDirectory(temporary);
            try
            {
                PackageArchive.Extract(bytes, temporary, _limits, CancellationToken.None);
                Replace(directory, temporary);
            }
            finally
            {
                if (Directory.Exists(temporary))
                {
                    Directory.Delete(temporary, recursive: true);
                }
            }

            var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            _logger.PackageUnpacked(hash, milliseconds);
            return directory;
        }
        finally
        {
            _unpacking.TryRemove(hash, out _);
        }
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
            Directory.Delete(stale, recursive: true);
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
}
