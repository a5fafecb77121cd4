using System.Runtime.InteropServices;

namespace Fleet.Worker.Tests;

/// <summary>realpath(3): a path as the kernel resolves it, every link on the way followed, for checking where links lead.</summary>
internal static partial class RealPath
{
    /// <summary>The resolved path, or null when some part of it does not exist (a dangling link).</summary>
    public static string? Of(string path)
    {
        var resolved = Resolve(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Resolve(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);
}
