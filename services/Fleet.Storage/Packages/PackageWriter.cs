using System.Formats.Tar;

namespace Fleet.Storage.Packages;

/// <summary>
/// Writes admitted entries under <c>root</c>. Modes are normalised so an unprivileged sandbox user can read everything.
/// Files are created new (never through an existing name or link) and their data is copied in chunks, checking for
/// cancellation between them. Errors of the disk propagate as they are: only reading the archive is the archive's fault.
/// </summary>
internal sealed class PackageWriter(string root, CancellationToken cancellationToken)
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Executable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly byte[] _buffer = new byte[64 * 1024];

    public void Write(TarEntry entry, string path)
    {
        var target = Path.Combine(root, path);
        if (entry.EntryType == TarEntryType.Directory)
        {
            Directory.CreateDirectory(target);
            SetMode(target, Executable);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        switch (entry.EntryType)
        {
            case TarEntryType.SymbolicLink:
                File.CreateSymbolicLink(target, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                HardLinks.LinkOrCopy(Path.Combine(root, PackageEntryRules.Normalize(entry.LinkName)), target);
                break;
            default:
                WriteFile(entry, target);
                SetMode(target, (entry.Mode & UnixFileMode.UserExecute) != 0 ? Executable : Readable);
                break;
        }
    }

    private void WriteFile(TarEntry entry, string target)
    {
        using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        if (entry.DataStream is not { } data)
        {
            return;
        }

        long written = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = PackageArchive.FromArchive(() => data.Read(_buffer, 0, _buffer.Length));
            if (read == 0)
            {
                break;
            }

            file.Write(_buffer, 0, read);
            written += read;
        }

        if (written != entry.Length)
        {
            throw new InvalidPackageException("truncated archive");
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
