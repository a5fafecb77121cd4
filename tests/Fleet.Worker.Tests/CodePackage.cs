using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Worker.Tests;

/// <summary>Code packages as clients upload them: an uncompressed tar of the given files.</summary>
internal static class CodePackage
{
    public static byte[] Of(IReadOnlyDictionary<string, string> files)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }
        }

        return stream.ToArray();
    }

    public static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
