using System.Formats.Tar;
using System.Text;

namespace Fleet.Worker.Tests;

/// <summary>Tar archives with any entries at all, hostile ones included, in the order written.</summary>
internal sealed class TarBuilder
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode ExecutableMode = FileMode | UnixFileMode.UserExecute;

    private readonly List<PaxTarEntry> _entries = [];

    /// <summary>A good package with one of each kind of entry: files (one executable), a directory, links inside it, a hard link.</summary>
    public static TarBuilder Sample() => new TarBuilder()
        .File("./fn.py", "def handler(params, context):\n    return 1\n")
        .Directory("lib/")
        .File("lib/tool.sh", "#!/bin/sh\n", executable: true)
        .Symlink("lib/fn.py", "../fn.py")
        .Symlink("here", ".")
        .HardLink("copy.py", "fn.py");

    public TarBuilder File(string name, string content = "x", bool executable = false) => File(name, Encoding.UTF8.GetBytes(content), executable);

    public TarBuilder File(string name, byte[] content, bool executable = false) => Add(new PaxTarEntry(TarEntryType.RegularFile, name)
    {
        DataStream = new MemoryStream(content),
        Mode = executable ? ExecutableMode : FileMode,
    });

    public TarBuilder Directory(string name) => Add(new PaxTarEntry(TarEntryType.Directory, name) { Mode = ExecutableMode });

    public TarBuilder Symlink(string name, string target) => Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });

    public TarBuilder HardLink(string name, string target) => Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });

    public TarBuilder Fifo(string name) => Add(new PaxTarEntry(TarEntryType.Fifo, name));

    /// <summary>The entries in the given format (pax by default): GNU writes long names as 'L'/'K' entries, ustar in its prefix field.</summary>
    public byte[] ToArray(TarEntryFormat format = TarEntryFormat.Pax)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, format, leaveOpen: true))
        {
            foreach (var entry in _entries)
            {
                entry.DataStream?.Position = 0;
                writer.WriteEntry(format switch
                {
                    TarEntryFormat.Gnu => new GnuTarEntry(entry),
                    TarEntryFormat.Ustar => new UstarTarEntry(entry),
                    TarEntryFormat.V7 => new V7TarEntry(entry),
                    _ => entry,
                });
            }
        }

        return stream.ToArray();
    }

    public byte[] ToGzip(TarEntryFormat format = TarEntryFormat.Pax) => RawTar.Gzip(ToArray(format));

    private TarBuilder Add(PaxTarEntry entry)
    {
        _entries.Add(entry);
        return this;
    }
}
