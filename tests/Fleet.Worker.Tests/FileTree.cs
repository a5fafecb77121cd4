namespace Fleet.Worker.Tests;

/// <summary>A directory tree as it is on disk, links listed and never descended into.</summary>
internal static class FileTree
{
    private static readonly EnumerationOptions Everything = new() { AttributesToSkip = 0 };

    /// <summary>Every entry below <paramref name="root"/>, descending into real directories only.</summary>
    public static List<FileSystemInfo> Entries(string root)
    {
        var entries = new List<FileSystemInfo>();
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(root)]);
        while (pending.TryPop(out var directory))
        {
            foreach (var entry in directory.EnumerateFileSystemInfos("*", Everything))
            {
                entries.Add(entry);
                if (entry is DirectoryInfo { LinkTarget: null } real)
                {
                    pending.Push(real);
                }
            }
        }

        return entries;
    }
}
