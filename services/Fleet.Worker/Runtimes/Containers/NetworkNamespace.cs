using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Fleet.Worker.Runtimes.Containers;

/// <summary>
/// TCP sockets made inside another process's network namespace: how the worker reaches the executor of a container that
/// has no network. A socket belongs for good to the namespace it was created in, so a thread of its own enters the
/// container's namespace (<c>setns(2)</c>), creates the socket, and returns to the worker's namespace before
/// connecting it to the executor's loopback address; the container gets no interface, route or port on the host.
/// Needs CAP_SYS_ADMIN (a worker that runs containers is root anyway).
/// </summary>
internal static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC

    /// <summary>A socket connected to <paramref name="endpoint"/> as seen from the network namespace of process <paramref name="pid"/>.</summary>
    public static async Task<Socket> ConnectAsync(int pid, IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = await CreateInsideAsync(pid, endpoint.AddressFamily);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(endpoint, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Creates the socket on a dedicated thread: setns changes the namespace of the calling thread only.</summary>
    private static Task<Socket> CreateInsideAsync(int pid, AddressFamily family)
    {
        var created = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                created.TrySetResult(CreateInside(pid, family));
            }
            catch (Exception error)
            {
                created.TrySetException(error);
            }
        })
        {
            IsBackground = true,
            Name = "netns socket",
        };
        thread.Start();
        return created.Task;
    }

    private static Socket CreateInside(int pid, AddressFamily family)
    {
        var own = Open("/proc/thread-self/ns/net");
        try
        {
            var target = Open($"/proc/{pid}/ns/net");
            try
            {
                Enter(target, $"the network namespace of process {pid}");
            }
            finally
            {
                _ = Close(target);
            }

            Socket socket;
            try
            {
                socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
            }
            catch
            {
                Enter(own, "the worker's own network namespace");
                throw;
            }

            try
            {
                Enter(own, "the worker's own network namespace");
            }
            catch
            {
                // The thread ends here anyway, and nothing else runs on it in the wrong namespace.
                socket.Dispose();
                throw;
            }

            return socket;
        }
        finally
        {
            _ = Close(own);
        }
    }

    private static int Open(string path)
    {
        var fd = OpenFile(path, ReadOnlyCloseOnExec);
        return fd >= 0 ? fd : throw new IOException($"cannot open {path}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    private static void Enter(int fd, string what)
    {
        if (SetNamespace(fd, CloneNewNet) != 0)
        {
            throw new IOException($"cannot enter {what}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenFile(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(int fd, int nsType);
}
