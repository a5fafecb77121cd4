using System.Formats.Tar;
using System.IO.Compression;

namespace Fleet.Storage.Packages;

/// <summary>
/// Code packages are tar archives, optionally gzip-compressed. The gateway validates them at create time;
/// workers extract them with the same rules: no absolute paths, no <c>..</c>, no links leading outside,
/// nothing written through a link, only files, directories and links, and no more than the
/// <see cref="PackageLimits"/> allow. Whatever is wrong with the bytes ends in an <see cref="InvalidPackageException"/>.
/// </summary>
public static class PackageArchive
{
    internal const string NotATar = "not a tar or gzip tar archive";

    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>Throws <see cref="InvalidPackageException"/> unless the bytes are a safe package within the limits.</summary>
    public static void Validate(byte[] bytes, PackageLimits limits, CancellationToken cancellationToken = default) =>
        ReadEntries(bytes, limits, writer: null, cancellationToken);

    /// <summary>
    /// Validates, then writes the package's files under <paramref name="directory"/> (which must exist). Cancellation is
    /// checked between entries and within a file's data; what was written by then is left for the caller to delete.
    /// </summary>
    public static void Extract(byte[] bytes, string directory, PackageLimits limits, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Validate(bytes, limits, cancellationToken);
        ReadEntries(bytes, limits, new PackageWriter(Path.GetFullPath(directory), cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Runs one read of the archive: any exception TarReader or GZipStream throws means the bytes are not a well-formed
    /// archive, whatever its type (they throw at least six kinds for malformed input). Never wraps a write.
    /// </summary>
    internal static T FromArchive<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception error) when (error is not (InvalidPackageException or OperationCanceledException))
        {
            throw new InvalidPackageException(NotATar, error);
        }
    }

    private static void ReadEntries(byte[] bytes, PackageLimits limits, PackageWriter? writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(limits);
        var rules = new PackageEntryRules(limits);
        using var raw = new MemoryStream(bytes, writable: false);
        using var tar = new CheckedTarStream(IsGzip(bytes) ? new GZipStream(raw, CompressionMode.Decompress) : raw, limits);
        using var reader = new TarReader(tar);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FromArchive(() => reader.GetNextEntry()) is not { } entry)
            {
                break;
            }

            var path = rules.Admit(entry);
            if (path is not null)
            {
                writer?.Write(entry, path);
            }
        }

        if (!tar.Ended)
        {
            throw new InvalidPackageException("truncated archive");
        }

        rules.Complete();
    }
}
