using System.Formats.Tar;
using System.IO.Compression;

namespace Fleet.Storage.Packages;

/// <summary>
/// Code packages are tar archives, optionally gzip-compressed. The gateway validates them at create time;
/// workers extract them with the same rules: no absolute paths, no <c>..</c>, no links leading outside,
/// nothing written through a link, only files, directories and links.
/// </summary>
public static class PackageArchive
{
    /// <summary>Unpacked size a package may have.</summary>
    public const long MaxUnpackedBytes = 1L << 30;

    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>Throws <see cref="InvalidPackageException"/> unless the bytes are a safe package.</summary>
    public static void Validate(ReadOnlySpan<byte> bytes) => Validate(bytes.ToArray());

    /// <inheritdoc cref="Validate(ReadOnlySpan{byte})"/>
    public static void Validate(byte[] bytes) => ReadEntries(bytes, extractTo: null);

    /// <summary>Validates, then writes the package's files under <paramref name="directory"/> (which must exist).</summary>
    public static void Extract(byte[] bytes, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ReadEntries(bytes, extractTo: null);
        ReadEntries(bytes, Path.GetFullPath(directory));
    }

    private static void ReadEntries(byte[] bytes, string? extractTo)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var rules = new PackageEntryRules();
        try
        {
            using var raw = new MemoryStream(bytes, writable: false);
            using Stream data = IsGzip(bytes) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            using var reader = new TarReader(data);
            while (reader.GetNextEntry() is { } entry)
            {
                var path = rules.Admit(entry);
                if (path is not null && extractTo is not null)
                {
                    PackageWriter.Write(entry, path, extractTo);
                }
            }
        }
        catch (Exception error) when (error is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new InvalidPackageException("not a tar or gzip tar archive", error);
        }

        rules.Complete();
    }
}
