using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Fleet.Worker.Runtimes;

/// <summary>
/// The seccomp program bubblewrap loads (<c>--seccomp FD</c>) right before it execs the executor, so its own setup
/// (mounts, namespaces) is unaffected. Classic BPF over <c>struct seccomp_data</c>: an unknown architecture is killed
/// (its numbers would mean other calls), x86-64's x32 calls are refused, then a deny list; everything else is allowed.
/// A deny list rather than an allow list because functions bring their own native code and an allow list breaks with
/// every new glibc or libuv; what it denies is the kernel surface an unprivileged function has no use for and where
/// local privilege escalations keep being found.
/// </summary>
internal static class SeccompFilter
{
    public const int Eperm = 1;

    /// <summary>"Not implemented": glibc and libuv take it as an old kernel and fall back (clone3 to clone, io_uring to threads).</summary>
    public const int Enosys = 38;

    /// <summary>x86-64 calls with this bit set use the x32 ABI and its own numbers.</summary>
    public const uint X32SyscallBit = 0x40000000;

    public const uint ReturnKillProcess = 0x80000000;
    public const uint ReturnErrno = 0x00050000;
    public const uint ReturnAllow = 0x7FFF0000;

    /// <summary>
    /// clone's namespace flags (NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET). CLONE_NEWTIME (0x80) is left
    /// out: clone reads that byte as the exit signal, and only clone3 and unshare, denied whole, accept it.
    /// </summary>
    public const uint CloneNamespaceFlags = 0x7E020000;

    /// <summary>Offsets in <c>struct seccomp_data { int nr; u32 arch; u64 instruction_pointer; u64 args[6]; }</c>.</summary>
    private const uint NumberOffset = 0;
    private const uint ArchOffset = 4;

    /// <summary>The low 32 bits of args[0] on a little-endian machine (both architectures here are).</summary>
    private const uint FirstArgumentOffset = 16;

    private const ushort LoadWord = 0x20; // BPF_LD | BPF_W | BPF_ABS
    private const ushort JumpIfEqual = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    private const ushort JumpIfAtLeast = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    private const ushort JumpIfAnyBit = 0x45; // BPF_JMP | BPF_JSET | BPF_K
    private const ushort JumpAlways = 0x05; // BPF_JMP | BPF_JA
    private const ushort Return = 0x06; // BPF_RET | BPF_K

    /// <summary>seccomp_data.arch of each architecture the filter knows (AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64).</summary>
    public static readonly (uint X86_64, uint Aarch64) Arch = (0xC000003E, 0xC00000B7);

    /// <summary>clone is allowed (fork, threads, posix_spawn) unless its flags ask for a namespace.</summary>
    public static readonly (int X86_64, int Aarch64) Clone = (56, 220);

    /// <summary>The calls refused, with their numbers on x86-64 and aarch64 (-1: none there) and the errno they get.</summary>
    public static readonly IReadOnlyList<(string Name, int X86_64, int Aarch64, int Errno)> Denied =
    [
        ("io_uring_setup", 425, 425, Enosys),
        ("io_uring_enter", 426, 426, Enosys),
        ("io_uring_register", 427, 427, Enosys),
        ("clone3", 435, 435, Enosys),
        ("keyctl", 250, 219, Eperm),
        ("add_key", 248, 217, Eperm),
        ("request_key", 249, 218, Eperm),
        ("ptrace", 101, 117, Eperm),
        ("process_vm_readv", 310, 270, Eperm),
        ("process_vm_writev", 311, 271, Eperm),
        ("process_madvise", 440, 440, Eperm),
        ("pidfd_getfd", 438, 438, Eperm),
        ("kcmp", 312, 272, Eperm),
        ("bpf", 321, 280, Eperm),
        ("perf_event_open", 298, 241, Eperm),
        ("userfaultfd", 323, 282, Eperm),
        ("fanotify_init", 300, 262, Eperm),
        ("mount", 165, 40, Eperm),
        ("umount2", 166, 39, Eperm),
        ("open_tree", 428, 428, Eperm),
        ("move_mount", 429, 429, Eperm),
        ("fsopen", 430, 430, Eperm),
        ("fsconfig", 431, 431, Eperm),
        ("fsmount", 432, 432, Eperm),
        ("fspick", 433, 433, Eperm),
        ("mount_setattr", 442, 442, Eperm),
        ("pivot_root", 155, 41, Eperm),
        ("chroot", 161, 51, Eperm),
        ("unshare", 272, 97, Eperm),
        ("setns", 308, 268, Eperm),
        ("open_by_handle_at", 304, 265, Eperm),
        ("name_to_handle_at", 303, 264, Eperm),
        ("kexec_load", 246, 104, Eperm),
        ("kexec_file_load", 320, 294, Eperm),
        ("init_module", 175, 105, Eperm),
        ("finit_module", 313, 273, Eperm),
        ("delete_module", 176, 106, Eperm),
        ("swapon", 167, 224, Eperm),
        ("swapoff", 168, 225, Eperm),
        ("reboot", 169, 142, Eperm),
        ("acct", 163, 89, Eperm),
        ("quotactl", 179, 60, Eperm),
        ("quotactl_fd", 443, 443, Eperm),
        ("iopl", 172, -1, Eperm),
        ("ioperm", 173, -1, Eperm),
        ("syslog", 103, 116, Eperm),
        ("settimeofday", 164, 170, Eperm),
        ("clock_settime", 227, 112, Eperm),
        ("adjtimex", 159, 171, Eperm),
        ("clock_adjtime", 305, 266, Eperm),
    ];

    /// <summary>The program as the kernel reads it: struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } in a row.</summary>
    public static byte[] Program()
    {
        var x86 = Section(rule => rule.X86_64, Clone.X86_64, refuseX32: true);
        var aarch64 = Section(rule => rule.Aarch64, Clone.Aarch64, refuseX32: false);
        List<(ushort Code, byte IfTrue, byte IfFalse, uint K)> program =
        [
            (LoadWord, 0, 0, ArchOffset),
            (JumpIfEqual, 0, 1, Arch.X86_64),
            (JumpAlways, 0, 0, 3),
            (JumpIfEqual, 0, 1, Arch.Aarch64),
            (JumpAlways, 0, 0, (uint)(1 + x86.Count)),
            (Return, 0, 0, ReturnKillProcess),
            .. x86,
            .. aarch64,
        ];

        var bytes = new byte[program.Count * 8];
        for (var index = 0; index < program.Count; index++)
        {
            var (code, ifTrue, ifFalse, k) = program[index];
            var instruction = bytes.AsSpan(index * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(instruction, code);
            instruction[2] = ifTrue;
            instruction[3] = ifFalse;
            BinaryPrimitives.WriteUInt32LittleEndian(instruction[4..], k);
        }

        return bytes;
    }

    /// <summary>
    /// Writes the program once into <paramref name="directory"/> under a name made of its hash, so workers sharing a data
    /// directory share one unchanging file, and returns its full path. Written beside and renamed into place: a
    /// launcher never reads half a program.
    /// </summary>
    public static string WriteTo(string directory)
    {
        var program = Program();
        var path = Path.GetFullPath(Path.Combine(directory, $"seccomp-{Convert.ToHexStringLower(SHA256.HashData(program))[..16]}.bpf"));
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(directory);
            var partial = $"{path}.{Guid.NewGuid():N}";
            File.WriteAllBytes(partial, program);
            File.Move(partial, path, overwrite: true);
        }

        return path;
    }

    /// <summary>One architecture's checks: loads the call number, and every path through it returns.</summary>
    private static List<(ushort Code, byte IfTrue, byte IfFalse, uint K)> Section(
        Func<(string Name, int X86_64, int Aarch64, int Errno), int> number, int clone, bool refuseX32)
    {
        List<(ushort Code, byte IfTrue, byte IfFalse, uint K)> section = [(LoadWord, 0, 0, NumberOffset)];
        if (refuseX32)
        {
            section.Add((JumpIfAtLeast, 0, 1, X32SyscallBit));
            section.Add((Return, 0, 0, ReturnErrno | Enosys));
        }

        foreach (var rule in Denied.Where(rule => number(rule) >= 0))
        {
            section.Add((JumpIfEqual, 0, 1, (uint)number(rule)));
            section.Add((Return, 0, 0, ReturnErrno | (uint)rule.Errno));
        }

        // Not clone: on to the final allow. Clone: refused when its flags hold a namespace flag, allowed otherwise.
        section.Add((JumpIfEqual, 0, 3, (uint)clone));
        section.Add((LoadWord, 0, 0, FirstArgumentOffset));
        section.Add((JumpIfAnyBit, 0, 1, CloneNamespaceFlags));
        section.Add((Return, 0, 0, ReturnErrno | Eperm));
        section.Add((Return, 0, 0, ReturnAllow));
        return section;
    }
}
