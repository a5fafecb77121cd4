using System.Formats.Tar;
using System.Text;

namespace Fleet.Storage.Packages;

/// <summary>The safety rules for one pass over a package's entries. Throws <see cref="InvalidPackageException"/>.</summary>
internal sealed class PackageEntryRules(PackageLimits limits)
{
    private const int MaxLinkHops = 40;

    /// <summary>NAME_MAX: a longer part would fail to be created, after the gateway had accepted the package.</summary>
    private const int MaxNameBytes = 255;

    /// <summary>Paths and link targets well under PATH_MAX (4096) once joined to the directory a package unpacks into.</summary>
    private const int MaxPathBytes = 2048;

    private readonly Dictionary<string, TarEntryType> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _symlinks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _fileSizes = new(StringComparer.Ordinal);
    private long _bytes;
    private int _entries;

    /// <summary>Checks one entry; returns its normalised relative path, or null for entries with nothing to write.</summary>
    public string? Admit(TarEntry entry)
    {
        if (++_entries > limits.MaxEntries)
        {
            throw Invalid($"package has more than {limits.MaxEntries} entries");
        }

        var kind = Classify(entry);
        if (kind is null)
        {
            return null;
        }

        var path = Normalize(entry.Name);
        if (path.Length == 0)
        {
            return kind == TarEntryType.Directory ? null : throw Invalid($"entry without a name: '{entry.Name}'");
        }

        AdmitParents(path);
        if (_seen.TryGetValue(path, out var earlier) && (earlier != TarEntryType.Directory || kind != TarEntryType.Directory))
        {
            throw Invalid($"duplicate entry '{path}'");
        }

        // What extraction writes: a file's data; for a hard link (an entry without data), its target once more, since
        // extraction copies the target where it cannot link it.
        var bytes = entry.Length;
        if (kind == TarEntryType.SymbolicLink)
        {
            // A pax linkpath may hold a NUL, which no file system call accepts: refused here, not when unpacking.
            _symlinks[path] = string.IsNullOrEmpty(entry.LinkName) ? throw Invalid($"link '{path}' has no target")
                : entry.LinkName.Contains('\0', StringComparison.Ordinal) ? throw Invalid($"link '{path}' has a malformed target")
                : Encoding.UTF8.GetByteCount(entry.LinkName) > MaxPathBytes ? throw Invalid($"link '{Shorten(path)}' has too long a target")
                : entry.LinkName;
        }
        else if (kind == TarEntryType.HardLink)
        {
            bytes += _fileSizes.TryGetValue(Normalize(entry.LinkName), out var target) ? target
                : throw Invalid($"hard link '{path}' does not point to a file of the package");
        }

        _bytes += bytes;
        if (_bytes > limits.MaxUnpackedBytes)
        {
            throw TooLarge();
        }

        _seen[path] = kind.Value;
        if (kind == TarEntryType.RegularFile)
        {
            _fileSizes[path] = entry.Length;
        }

        return path;
    }

    /// <summary>Checks what needs the whole archive: it is not empty and every symbolic link resolves inside it.</summary>
    public void Complete()
    {
        if (_seen.Count == 0)
        {
            throw Empty();
        }

        foreach (var link in _symlinks.Keys)
        {
            if (!StaysInside(link))
            {
                throw Invalid($"link '{link}' points outside the package");
            }
        }
    }

    /// <summary>The relative path of an archive name: no leading "./", no empty parts; refuses absolute paths and "..".</summary>
    public static string Normalize(string name)
    {
        if (name.StartsWith('/') || name.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid($"absolute or malformed path '{name}'");
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(part => part != ".").ToArray();
        if (parts.Contains(".."))
        {
            throw Invalid($"'..' in path '{name}'");
        }

        var path = string.Join('/', parts);
        return Encoding.UTF8.GetByteCount(path) > MaxPathBytes || parts.Any(part => Encoding.UTF8.GetByteCount(part) > MaxNameBytes)
            ? throw Invalid($"path too long: '{Shorten(path)}'")
            : path;
    }

    public static InvalidPackageException Empty() => new("package is empty");

    public static InvalidPackageException TooLarge() => new("package too large when unpacked");

    public static InvalidPackageException Sparse() => new("sparse files are not supported");

    private static TarEntryType? Classify(TarEntry entry) => entry.EntryType switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => TarEntryType.RegularFile,
        TarEntryType.Directory or TarEntryType.SymbolicLink or TarEntryType.HardLink => entry.EntryType,
        TarEntryType.GlobalExtendedAttributes => null,
        _ => throw Invalid($"unsupported entry type {entry.EntryType} at '{entry.Name}'"),
    };

    /// <summary>
    /// Refuses an entry under a link or file, and records its parents as directories (extraction creates them), so no
    /// later entry can take their place.
    /// </summary>
    private void AdmitParents(string path)
    {
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            if (_seen.TryGetValue(path[..slash], out var parent) && parent != TarEntryType.Directory)
            {
                throw Invalid($"entry '{path}' lies under a link or file");
            }

            _seen[path[..slash]] = TarEntryType.Directory;
        }
    }

    /// <summary>Resolves the link the way the kernel would, inside the archive's own namespace.</summary>
    private bool StaysInside(string link)
    {
        if (_symlinks[link].StartsWith('/'))
        {
            return false;
        }

        var resolved = link.Split('/').SkipLast(1).ToList();
        var pending = new List<string>(_symlinks[link].Split('/'));
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending[0];
            pending.RemoveAt(0);
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count == 0)
                {
                    return false;
                }

                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }

            resolved.Add(part);
            if (_symlinks.TryGetValue(string.Join('/', resolved), out var target))
            {
                if (++hops > MaxLinkHops || target.StartsWith('/'))
                {
                    return false;
                }

                resolved.RemoveAt(resolved.Count - 1);
                pending.InsertRange(0, target.Split('/'));
            }
        }

        return true;
    }

    private static string Shorten(string path) => path.Length <= 80 ? path : $"{path[..80]}...";

    private static InvalidPackageException Invalid(string message) => new(message);
}
