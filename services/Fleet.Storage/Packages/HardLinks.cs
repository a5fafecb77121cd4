using System.Runtime.InteropServices;

namespace Fleet.Storage.Packages;

/// <summary>
/// Hard links where the file system allows them, so a file linked many times costs its disk space once; copies where it
/// does not (another file system, no <c>link(2)</c>). Used for a package's own hard links and for the mirror of a package
/// in a spare instance.
/// </summary>
public static partial class HardLinks
{
    /// <summary>
    /// Creates <paramref name="created"/> as a hard link to the regular file <paramref name="existing"/>, or as a copy of it.
    /// Throws <see cref="IOException"/> when <paramref name="created"/> exists: neither a link nor a copy replaces anything.
    /// </summary>
    public static void LinkOrCopy(string existing, string created)
    {
        if (OperatingSystem.IsWindows() || Link(existing, created) != 0)
        {
            File.Copy(existing, created, overwrite: false);
        }
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string created);
}
