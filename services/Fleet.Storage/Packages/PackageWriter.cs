using System.Formats.Tar;

namespace Fleet.Storage.Packages;

/// <summary>Writes one admitted entry. Modes are normalised so an unprivileged sandbox user can read everything.</summary>
internal static class PackageWriter
{
    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Executable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static void Write(TarEntry entry, string path, string root)
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
                File.Copy(Path.Combine(root, PackageEntryRules.Normalize(entry.LinkName)), target);
                break;
            default:
                entry.ExtractToFile(target, overwrite: false);
                SetMode(target, (entry.Mode & UnixFileMode.UserExecute) != 0 ? Executable : Readable);
                break;
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
