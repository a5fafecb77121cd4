using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>Code packages as serverledge-cli makes them: an uncompressed tar of the given files.</summary>
internal static class Tar
{
    public static byte[] Of(IReadOnlyDictionary<string, string> files)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                writer.WriteEntry(entry);
            }
        }

        return stream.ToArray();
    }

    public static byte[] Gzip(byte[] tar)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar);
        }

        return stream.ToArray();
    }
}
