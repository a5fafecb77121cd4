using Fleet.Storage.Packages;

namespace Fleet.Worker.Runtimes;

/// <summary>A spare instance's copy of a package: hard links into the package cache (same file system), copies otherwise.</summary>
internal static class CodeTree
{
    /// <summary>Every entry, dot files included; nothing recursed into by the enumerator itself.</summary>
    private static readonly EnumerationOptions OneLevel = new() { AttributesToSkip = 0, IgnoreInaccessible = false };

    /// <summary>
    /// Mirrors <paramref name="source"/> into the existing, empty <paramref name="target"/> without following a single
    /// link: directories are created, symbolic links recreated with the same target text, files hard-linked or copied.
    /// The walk is its own because <see cref="SearchOption.AllDirectories"/> descends into links to directories: a
    /// package with <c>a -> .</c> and <c>b -> .</c> would be mirrored as <c>a/b/a/…</c> down to the kernel's 40 links,
    /// millions of entries. Cancellation is checked per entry; the caller deletes a mirror left half made.
    /// </summary>
    public static void Link(string source, string target, CancellationToken cancellationToken)
    {
        var directories = new Stack<string>();
        directories.Push("");
        while (directories.TryPop(out var directory))
        {
            foreach (var entry in new DirectoryInfo(Path.Combine(source, directory)).EnumerateFileSystemInfos("*", OneLevel))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var path = Path.Combine(directory, entry.Name);
                var mirrored = Path.Combine(target, path);
                if (entry.LinkTarget is { } linkTarget)
                {
                    File.CreateSymbolicLink(mirrored, linkTarget);
                }
                else if (entry is DirectoryInfo)
                {
                    Directory.CreateDirectory(mirrored);
                    directories.Push(path);
                }
                else
                {
                    HardLinks.LinkOrCopy(entry.FullName, mirrored);
                }
            }
        }
    }

    /// <summary>Deletes the tree; links in it are removed, not followed (<see cref="Directory.Delete(string, bool)"/> unlinks them).</summary>
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
}
