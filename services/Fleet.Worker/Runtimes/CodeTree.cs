using System.Runtime.InteropServices;

namespace Fleet.Worker.Runtimes;

/// <summary>A spare instance's copy of a package: hard links into the package cache (same file system), copies otherwise.</summary>
internal static partial class CodeTree
{
    /// <summary>Mirrors <paramref name="source"/> into the existing, empty <paramref name="target"/>.</summary>
    public static void Link(string source, string target)
    {
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            if (HardLink(file, copy) != 0)
            {
                File.Copy(file, copy);
            }
        }
    }

    public static void Delete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Left for the clean-up of ended runs at a later start.
        }
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int HardLink(string existing, string created);
}
