using System.Formats.Tar;

namespace Fleet.Core.Functions;

/// <summary>Packages the core itself makes of a few files (a facade's upload, a compiled module), and a file read back out of one.</summary>
internal static class PackageFiles
{
    /// <summary>An uncompressed tar of <paramref name="files"/>, in order.</summary>
    public static byte[] Of(params (string Name, byte[] Data)[] files)
    {
        using var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, data) in files)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }

        return archive.ToArray();
    }

    /// <summary>The file <paramref name="name"/> at the package's top (a leading <c>./</c> allowed), or null when it holds none.</summary>
    public static byte[]? Read(byte[] package, string name)
    {
        using var reader = new TarReader(new MemoryStream(package));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name.TrimStart('.', '/') == name && entry.DataStream is { } data)
            {
                using var file = new MemoryStream();
                data.CopyTo(file);
                return file.ToArray();
            }
        }

        return null;
    }
}
