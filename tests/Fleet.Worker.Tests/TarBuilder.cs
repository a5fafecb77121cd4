using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Fleet.Worker.Tests;

/// <summary>Tar archives with any entries at all, hostile ones included, in the order written.</summary>
internal sealed class TarBuilder
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode ExecutableMode = FileMode | UnixFileMode.UserExecute;

    private readonly List<PaxTarEntry> _entries = [];

    public TarBuilder File(string name, string content = "x", bool executable = false) => Add(new PaxTarEntry(TarEntryType.RegularFile, name)
    {
        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        Mode = executable ? ExecutableMode : FileMode,
    });

    public TarBuilder Directory(string name) => Add(new PaxTarEntry(TarEntryType.Directory, name) { Mode = ExecutableMode });

    public TarBuilder Symlink(string name, string target) => Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });

    public TarBuilder HardLink(string name, string target) => Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });

    public TarBuilder Fifo(string name) => Add(new PaxTarEntry(TarEntryType.Fifo, name));

    public byte[] ToArray()
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in _entries)
            {
                writer.WriteEntry(entry);
            }
        }

        return stream.ToArray();
    }

    public byte[] ToGzip()
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(ToArray());
        }

        return stream.ToArray();
    }

    private TarBuilder Add(PaxTarEntry entry)
    {
        _entries.Add(entry);
        return this;
    }
}
