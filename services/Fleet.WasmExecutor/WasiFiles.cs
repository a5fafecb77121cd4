using System.Buffers.Binary;
using System.Text;
using Wasmtime;

namespace Fleet.WasmExecutor;

/// <summary>
/// Fleet's WASI preview1 file calls, in place of Wasmtime's: stdout and stderr written straight into the call's
/// capture (Wasmtime's output callbacks hand each write to another thread), and Faasm's shared files read-only: a
/// module's <c>fopen("faasm://path")</c> (or <c>stat</c>, <c>fread</c>, <c>fseek</c>) reads the shared file
/// <c>path</c> through the worker's <c>file.read</c> host call. Wasmtime's WASI has no hook for files of the host's
/// choosing, hence these: a directory preopened as <c>/</c> and as <c>.</c> (wasi-libc resolves absolute and relative
/// paths against them), a file opened fetched whole; creating, writing, renaming or removing files is refused with
/// EROFS. The rest of WASI (clocks, random, args, environment, exit) stays Wasmtime's.
/// </summary>
internal sealed class WasiFiles(WorkerChannel worker)
{
    private const string Wasi = "wasi_snapshot_preview1";
    private const int Root = 3;
    private const int Current = 4;
    private const int FirstFile = 10;

    // WASI errnos, file types and rights (wasi_snapshot_preview1).
    private const int Success = 0;
    private const int Badf = 8;
    private const int Inval = 28;
    private const int IsDir = 31;
    private const int NoEnt = 44;
    private const int NotSup = 58;
    private const int ReadOnly = 69;
    private const int SPipe = 70;
    private const byte CharacterDevice = 2;
    private const byte Directory = 3;
    private const byte RegularFile = 4;
    private const long RightRead = 1 << 1;
    private const long RightSeek = 1 << 2;
    private const long RightTell = 1 << 5;
    private const long RightWrite = 1 << 6;
    private const long RightFileStat = 1 << 21;
    private const int CreateFlag = 1;
    private const int DirectoryFlag = 2;
    private const int TruncateFlag = 8;

    private readonly Dictionary<int, OpenFile> _files = [];
    private int _nextFd = FirstFile;
    private FaasmCall? _call;

    /// <summary>Every call starts with no file open, its output going to its own capture.</summary>
    public void Begin(FaasmCall call)
    {
        _call = call;
        _files.Clear();
        _nextFd = FirstFile;
    }

    public void DefineIn(Linker linker)
    {
        linker.AllowShadowing = true;
        // The preopened directories, both the shared files: fd 3 "/" for absolute paths, fd 4 "." for relative ones
        // (faasm://…). A prestat is a tag (0, a directory) and the name's length.
        Define(linker, "fd_prestat_get", 2, (caller, a) => IsDirectory(a[0]) ? Write(caller, a[1], [0, 0, 0, 0, 1, 0, 0, 0]) : Badf);
        Define(linker, "fd_prestat_dir_name", 3, (caller, a) => IsDirectory(a[0])
            ? Write(caller, a[1], (a[0] == Root ? "/"u8 : "."u8)[..(int)Math.Min(1, a[2])])
            : Badf);
        DefineWith(linker, "path_open", [ValueKind.Int32, ValueKind.Int32, ValueKind.Int32, ValueKind.Int32, ValueKind.Int32, ValueKind.Int64, ValueKind.Int64, ValueKind.Int32, ValueKind.Int32], PathOpen);
        Define(linker, "fd_read", 4, (caller, a) => Read(caller, (int)a[0], a[1], a[2], a[3], offset: null));
        Define(linker, "fd_write", 4, (caller, a) => WriteOut(caller, (int)a[0], a[1], a[2], a[3]));
        DefineWith(linker, "fd_pread", [ValueKind.Int32, ValueKind.Int32, ValueKind.Int32, ValueKind.Int64, ValueKind.Int32], (caller, a) => Read(caller, (int)a[0], a[1], a[2], a[4], a[3]));
        DefineWith(linker, "fd_seek", [ValueKind.Int32, ValueKind.Int64, ValueKind.Int32, ValueKind.Int32], Seek);
        Define(linker, "fd_tell", 2, (caller, a) => _files.TryGetValue((int)a[0], out var file) ? Write(caller, a[1], file.Position) : a[0] < Root ? SPipe : Badf);
        Define(linker, "fd_close", 1, a => _files.Remove((int)a[0]) || a[0] <= Current ? Success : Badf);
        Define(linker, "fd_fdstat_get", 2, FdStat);
        Define(linker, "fd_filestat_get", 2, (caller, a) => FileStat(caller, (int)a[0], a[1]));
        Define(linker, "path_filestat_get", 5, PathFileStat);
        Define(linker, "fd_fdstat_set_flags", 2, a => a[0] < Root ? Success : _files.ContainsKey((int)a[0]) ? NotSup : Badf);
        Define(linker, "fd_readdir", 5, a => IsDirectory(a[0]) ? NotSup : Badf);
        foreach (var (name, parameters) in new[] { ("path_create_directory", 3), ("path_unlink_file", 3), ("path_remove_directory", 3), ("path_rename", 6), ("path_symlink", 5), ("path_link", 7) })
        {
            Define(linker, name, parameters, _ => ReadOnly);
        }
    }

    private static bool IsDirectory(long fd) => fd is Root or Current;

    private int PathOpen(Caller caller, long[] a)
    {
        var (directory, path, oflags, rights, fdOut) = ((int)a[0], Path(caller, a[2], a[3]), (int)a[4], a[5], a[8]);
        if (!IsDirectory(directory))
        {
            return Badf;
        }

        if ((oflags & (CreateFlag | TruncateFlag)) != 0 || (rights & RightWrite) != 0)
        {
            return ReadOnly;
        }

        if (path.Length == 0 || (oflags & DirectoryFlag) != 0)
        {
            return path.Length == 0 ? IsDir : NotSup;
        }

        if (worker.ReadFile(path) is not { } bytes)
        {
            return NoEnt;
        }

        var fd = _nextFd++;
        _files[fd] = new OpenFile(bytes);
        return Write(caller, fdOut, fd);
    }

    private int Read(Caller caller, int fd, long iovs, long count, long readOut, long? offset)
    {
        if (fd == 0)
        {
            return Write(caller, readOut, 0);
        }

        if (!_files.TryGetValue(fd, out var file))
        {
            return Badf;
        }

        var position = offset ?? file.Position;
        var read = 0;
        for (var i = 0; i < count; i++)
        {
            var vector = Memory(caller, iovs + (i * 8), 8);
            var (pointer, length) = (BinaryPrimitives.ReadUInt32LittleEndian(vector), BinaryPrimitives.ReadInt32LittleEndian(vector[4..]));
            var n = (int)Math.Clamp(file.Bytes.Length - position, 0, length);
            file.Bytes.AsSpan((int)position, n).CopyTo(Memory(caller, pointer, n));
            (position, read) = (position + n, read + n);
            if (n < length)
            {
                break;
            }
        }

        if (offset is null)
        {
            file.Position = position;
        }

        return Write(caller, readOut, read);
    }

    /// <summary>stdout and stderr go to the call's capture; files here are read-only, so any other fd is EBADF.</summary>
    private int WriteOut(Caller caller, int fd, long iovs, long count, long writtenOut)
    {
        var stream = fd switch
        {
            1 => _call?.Stdout,
            2 => _call?.Stderr,
            _ => null,
        };
        if (stream is null)
        {
            return Badf;
        }

        var written = 0;
        for (var i = 0; i < count; i++)
        {
            var vector = Memory(caller, iovs + (i * 8), 8);
            var (pointer, length) = (BinaryPrimitives.ReadUInt32LittleEndian(vector), BinaryPrimitives.ReadInt32LittleEndian(vector[4..]));
            stream.Write(Memory(caller, pointer, length));
            written += length;
        }

        return Write(caller, writtenOut, written);
    }

    private int Seek(Caller caller, long[] a)
    {
        if (!_files.TryGetValue((int)a[0], out var file))
        {
            return a[0] < Root ? SPipe : Badf;
        }

        var target = (int)a[2] switch
        {
            0 => a[1],
            1 => file.Position + a[1],
            2 => file.Bytes.Length + a[1],
            _ => -1,
        };
        if (target < 0)
        {
            return Inval;
        }

        file.Position = target;
        return Write(caller, a[3], target);
    }

    private int FdStat(Caller caller, long[] a)
    {
        var fd = (int)a[0];
        var (type, rights) = fd < Root ? (CharacterDevice, RightWrite)
            : IsDirectory(fd) ? (Directory, -1L)
            : _files.ContainsKey(fd) ? (RegularFile, RightRead | RightSeek | RightTell | RightFileStat)
            : ((byte)0, 0L);
        if (type == 0)
        {
            return Badf;
        }

        var stat = new byte[24];
        stat[0] = type;
        BinaryPrimitives.WriteInt64LittleEndian(stat.AsSpan(8), rights);
        BinaryPrimitives.WriteInt64LittleEndian(stat.AsSpan(16), rights);
        return Write(caller, a[1], stat);
    }

    private int FileStat(Caller caller, int fd, long statOut) =>
        fd < Root ? Stat(caller, statOut, CharacterDevice, 0)
        : IsDirectory(fd) ? Stat(caller, statOut, Directory, 0)
        : _files.TryGetValue(fd, out var file) ? Stat(caller, statOut, RegularFile, file.Bytes.Length)
        : Badf;

    private int PathFileStat(Caller caller, long[] a)
    {
        if (!IsDirectory(a[0]))
        {
            return Badf;
        }

        var path = Path(caller, a[2], a[3]);
        return path.Length == 0 ? Stat(caller, a[4], Directory, 0)
            : worker.ReadFile(path) is { } bytes ? Stat(caller, a[4], RegularFile, bytes.Length)
            : NoEnt;
    }

    private static int Stat(Caller caller, long statOut, byte type, long size)
    {
        var stat = new byte[64];
        stat[16] = type;
        BinaryPrimitives.WriteInt64LittleEndian(stat.AsSpan(24), 1);
        BinaryPrimitives.WriteInt64LittleEndian(stat.AsSpan(32), size);
        return Write(caller, statOut, stat);
    }

    /// <summary>A path as a shared file's name (<see cref="SharedFiles.PathOf"/>).</summary>
    private static string Path(Caller caller, long pointer, long length) =>
        SharedFiles.PathOf(Encoding.UTF8.GetString(Memory(caller, pointer, (int)length)));

    private static Span<byte> Memory(Caller caller, long pointer, int length) => ModuleMemory.Span(caller, pointer, length);

    private static int Write(Caller caller, long pointer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Memory(caller, pointer, bytes.Length));
        return Success;
    }

    private static int Write(Caller caller, long pointer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Memory(caller, pointer, 8), value);
        return Success;
    }

    private static int Write(Caller caller, long pointer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Memory(caller, pointer, 4), value);
        return Success;
    }

    private static void Define(Linker linker, string name, int parameters, Func<long[], int> implementation) =>
        Define(linker, name, parameters, (_, a) => implementation(a));

    private static void Define(Linker linker, string name, int parameters, Func<Caller, long[], int> implementation) =>
        DefineWith(linker, name, Enumerable.Repeat(ValueKind.Int32, parameters).ToArray(), implementation);

    private static void DefineWith(Linker linker, string name, ValueKind[] parameters, Func<Caller, long[], int> implementation) =>
        linker.DefineFunction(Wasi, name, (Caller caller, ReadOnlySpan<ValueBox> arguments, Span<ValueBox> results) =>
        {
            var values = new long[arguments.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = parameters[i] == ValueKind.Int64 ? arguments[i].AsInt64() : (uint)arguments[i].AsInt32();
            }

            results[0] = implementation(caller, values);
        }, parameters, [ValueKind.Int32]);

    private sealed class OpenFile(byte[] bytes)
    {
        public byte[] Bytes { get; } = bytes;

        public long Position { get; set; }
    }
}
