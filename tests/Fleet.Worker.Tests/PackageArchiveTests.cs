using Fleet.Contracts;
using Fleet.Storage.Packages;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>
/// The package rules the gateway applies at create time and the worker again when unpacking: a refused archive never
/// writes a byte, an accepted one unpacks exactly as listed and readable by the sandbox user.
/// </summary>
public sealed class PackageArchiveTests : IDisposable
{
    private static readonly Dictionary<string, (Func<byte[]> Archive, string Reason)> Hostile = new()
    {
        ["absolute path"] = (() => new TarBuilder().File("/etc/cron.d/fleet").ToArray(), "absolute or malformed path '/etc/cron.d/fleet'"),
        ["leading .."] = (() => new TarBuilder().File("../escape.py").ToArray(), "'..' in path '../escape.py'"),
        [".. inside a path"] = (() => new TarBuilder().Directory("a").File("a/../../escape.py").ToArray(), "'..' in path 'a/../../escape.py'"),
        ["symlink climbing out"] = (() => new TarBuilder().Symlink("link", "../outside").ToArray(), "link 'link' points outside the package"),
        ["absolute symlink"] = (() => new TarBuilder().Symlink("passwd", "/etc/passwd").ToArray(), "link 'passwd' points outside the package"),
        ["symlink chain climbing out"] = (() => new TarBuilder().Directory("d").Symlink("d/up", "..").Symlink("out", "d/up/..").ToArray(), "link 'out' points outside the package"),
        ["symlink chain to an absolute path"] = (() => new TarBuilder().Symlink("a", "b").Symlink("b", "/etc").ToArray(), "points outside the package"),
        ["symlink loop"] = (() => new TarBuilder().Symlink("a", "b").Symlink("b", "a").ToArray(), "points outside the package"),
        ["file written through a symlink"] = (() => new TarBuilder().Directory("sub").Symlink("d", "sub").File("d/x.py").ToArray(), "entry 'd/x.py' lies under a link or file"),
        ["hard link to a host file"] = (() => new TarBuilder().HardLink("passwd", "/etc/passwd").ToArray(), "absolute or malformed path '/etc/passwd'"),
        ["hard link to nothing in the package"] = (() => new TarBuilder().HardLink("h", "missing.py").ToArray(), "hard link 'h' does not point to a file of the package"),
        ["duplicate file"] = (() => new TarBuilder().File("fn.py").File("./fn.py").ToArray(), "duplicate entry 'fn.py'"),
        ["file where a directory was implied"] = (() => new TarBuilder().File("a/b.py").File("a").ToArray(), "duplicate entry 'a'"),
        ["symlink where a directory was implied"] = (() => new TarBuilder().File("a/b.py").Symlink("a", "c").ToArray(), "duplicate entry 'a'"),
        ["fifo"] = (() => new TarBuilder().Fifo("pipe").ToArray(), "unsupported entry type Fifo at 'pipe'"),
        ["empty archive"] = (() => new TarBuilder().ToArray(), "package is empty"),
        ["not a tar"] = (() => "#!/bin/sh\nrm -rf /\n"u8.ToArray(), "not a tar or gzip tar archive"),
        ["name part longer than 255 bytes"] = (() => new TarBuilder().File(new string('n', 256)).ToArray(), "path too long"),
        ["symlink target with a NUL"] = (() => RawTar.Archive(RawTar.Pax("linkpath=fn.py\0x"), RawTar.Header("l", '2')), "link 'l' has a malformed target"),
        ["symlink target too long"] = (() => new TarBuilder().Symlink("l", string.Join('/', Enumerable.Repeat("d", 1100))).ToArray(), "link 'l' has too long a target"),

        // Limits: what an archive costs to unpack, not what it costs to upload.
        ["hard links counted at their target's size"] = (HardLinkBomb, "package too large when unpacked"),
        ["more entries than the limit"] = (() => RawTar.Archive(Enumerable.Range(0, 10_001).Select(i => RawTar.Header($"f{i}"))), "package has more than 10000 entries"),
        ["pax header larger than a path"] = (() => RawTar.Concat(RawTar.Header("PaxHeaders/x", 'x', 100 << 20), new byte[RawTar.Block]), "tar metadata entry too large"),
        ["GNU long name larger than a path"] = (() => RawTar.Concat(RawTar.Header("././@LongLink", 'L', 1 << 30, gnu: true), new byte[RawTar.Block]), "tar metadata entry too large"),

        // Malformed or unsupported tar: refused with a reason, never another exception (the gateway would answer 500).
        ["GNU sparse file"] = (() => RawTar.Archive(RawTar.Header("sparse.bin", 'S', 5, gnu: true), RawTar.Data("hello"u8)), "sparse files are not supported"),
        ["PAX sparse file"] = (PaxSparseFile, "sparse files are not supported"),
        ["size field 77777777777"] = (() => WithSize("77777777777\0"u8), "package too large when unpacked"),
        ["base-256 size beyond 64 bits"] = (() => WithSize([0x80, .. Enumerable.Repeat((byte)0xFF, 11)]), "package too large when unpacked"),
        ["base-256 size at the largest long"] = (() => WithSize(RawTar.Base256(long.MaxValue, 12)), "package too large when unpacked"),
        ["negative base-256 size"] = (() => WithSize([.. Enumerable.Repeat((byte)0xFF, 12)]), "negative size in a tar header"),
        ["pax size 9999…"] = (() => WithPax("size=99999999999999999999"), "bad size in a pax header"),
        ["negative pax size"] = (() => WithPax("size=-1"), "bad size in a pax header"),
        ["pax size past the limit"] = (() => WithPax("size=300000000"), "package too large when unpacked"),
        ["malformed pax record"] = (() => RawTar.Archive(RawTar.Header("PaxHeaders/x", 'x', 9), RawTar.Data("7 size=1\n"u8), RawTar.Header("a")), "malformed pax header"),
        ["archive cut in a file's data"] = (() => RawTar.Concat(RawTar.Header("a", size: 2000), new byte[1024]), "truncated archive"),
        ["archive cut in a header"] = (() => RawTar.Concat(RawTar.Header("a", size: 1), RawTar.Data("x"u8), RawTar.Header("b")[..100]), "truncated archive"),
        ["archive without its end marker"] = (() => RawTar.Concat(RawTar.Header("a", size: 1), RawTar.Data("x"u8)), "truncated archive"),
        ["gzip archive cut short"] = (TruncatedGzip, "truncated archive"),
        ["bad header checksum"] = (BadSecondChecksum, "bad checksum in the tar header at byte 1024"),
        ["garbage after the gzip magic"] = (() => [0x1f, 0x8b, 0x08, 0x00, .. "garbage that does not inflate"u8], "not a tar or gzip tar archive"),
        ["directory with data"] = (() => RawTar.Archive(RawTar.Header("d/", '5', 5), RawTar.Data("hello"u8)), "not a tar or gzip tar archive"),
        ["garbage in the mode field"] = (() => RawTar.Archive(RawTar.With(RawTar.Header("a"), RawTar.Mode, "9999999\0"u8)), "not a tar or gzip tar archive"),
    };

    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("fleet-package-").FullName;

    public static TheoryData<string> HostileArchives => [.. Hostile.Keys];

    [Theory]
    [MemberData(nameof(HostileArchives))]
    public void A_hostile_archive_is_refused_with_the_reason_and_nothing_is_written(string name)
    {
        var (archive, reason) = Hostile[name];
        var target = Path.Combine(_directory, "code");
        System.IO.Directory.CreateDirectory(target);

        var validated = Assert.Throws<InvalidPackageException>(() => PackageArchive.Validate(archive(), PackageLimits.Default));
        var extracted = Assert.Throws<InvalidPackageException>(() => PackageArchive.Extract(archive(), target, PackageLimits.Default, CancellationToken.None));

        Assert.Contains(reason, validated.Message, StringComparison.Ordinal);
        Assert.Equal(validated.Message, extracted.Message);
        Assert.Equal([target], System.IO.Directory.GetFileSystemEntries(_directory, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_good_archive_is_accepted_and_unpacks_as_listed_readable_by_others(bool gzip)
    {
        var builder = TarBuilder.Sample();
        var archive = gzip ? builder.ToGzip() : builder.ToArray();

        PackageArchive.Validate(archive, PackageLimits.Default);
        PackageArchive.Extract(archive, _directory, PackageLimits.Default, CancellationToken.None);

        Assert.Equal("def handler(params, context):\n    return 1\n", File.ReadAllText(Path.Combine(_directory, "copy.py")));
        Assert.Equal("../fn.py", new FileInfo(Path.Combine(_directory, "lib", "fn.py")).LinkTarget);
        Assert.Equal(".", new FileInfo(Path.Combine(_directory, "here")).LinkTarget);
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(Path.Combine(_directory, "fn.py")));
        Assert.True(File.GetUnixFileMode(Path.Combine(_directory, "lib", "tool.sh")).HasFlag(UnixFileMode.OtherExecute));
        Assert.True(File.GetUnixFileMode(Path.Combine(_directory, "lib")).HasFlag(UnixFileMode.OtherExecute));
    }

    [Fact]
    public async Task The_worker_refuses_a_hostile_package_fails_the_call_and_keeps_nothing_of_it()
    {
        await using var pool = new TestPool();
        var archive = new TarBuilder().File("fn.py", "def work(params, context):\n    return 1\n").File("../escape.py").ToArray();
        var function = pool.DeployBytes(RuntimeNames.Python, "fn.work", archive);

        var execution = await pool.InvokeAsync(function);

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.Equal("'..' in path '../escape.py'", execution.Error);
        Assert.Equal(0, pool.Pool.Snapshot().Instances);
        var packages = Path.Combine(pool.Pool.RunDirectory, "packages");
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(packages));
        Assert.False(File.Exists(Path.Combine(pool.DataDirectory, "escape.py")));
    }

    [Fact]
    public void A_hard_link_is_unpacked_as_a_link_to_the_same_file()
    {
        var archive = new TarBuilder().File("fn.py", "1").HardLink("copy.py", "fn.py").ToArray();

        PackageArchive.Extract(archive, _directory, PackageLimits.Default, CancellationToken.None);
        File.AppendAllText(Path.Combine(_directory, "fn.py"), "2");

        Assert.Equal("12", File.ReadAllText(Path.Combine(_directory, "copy.py")));
    }

    [Fact]
    public void A_cancelled_token_stops_extraction_before_anything_is_written()
    {
        var archive = new TarBuilder().File("fn.py").ToArray();

        Assert.Throws<OperationCanceledException>(() => PackageArchive.Extract(archive, _directory, PackageLimits.Default, new CancellationToken(canceled: true)));

        Assert.Empty(System.IO.Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void Cancelling_stops_extraction_within_a_large_file_and_leaves_a_tree_the_caller_can_delete()
    {
        // Large enough that writing it takes far longer than a spinning thread needs to see it begin, even on a busy machine.
        const int size = 512 << 20;
        var archive = new TarBuilder().Directory("lib").Symlink("lib/up", "..").File("big.bin", new byte[size]).ToGzip();
        var target = Path.Combine(_directory, "code");
        System.IO.Directory.CreateDirectory(target);
        var big = new FileInfo(Path.Combine(target, "big.bin"));
        using var cancel = new CancellationTokenSource();
        var canceller = new Thread(() =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            for (big.Refresh(); (!big.Exists || big.Length == 0) && DateTime.UtcNow < deadline; big.Refresh())
            {
                Thread.SpinWait(100);
            }

            cancel.Cancel();
        });
        canceller.Start();

        Assert.Throws<OperationCanceledException>(() =>
            PackageArchive.Extract(archive, target, new PackageLimits { MaxUnpackedBytes = 1L << 30 }, cancel.Token));
        canceller.Join();

        big.Refresh();
        Assert.InRange(big.Length, 1, size - 1);
        System.IO.Directory.Delete(target, recursive: true);
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(_directory));
    }

    public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);

    /// <summary>The attacker's 97 KB gzip in small: one 9 MiB file and 30 hard links to it, 279 MiB once each link is a copy.</summary>
    private static byte[] HardLinkBomb()
    {
        var builder = new TarBuilder().File("big.bin", new byte[9 << 20]);
        for (var i = 0; i < 30; i++)
        {
            builder.HardLink($"copy{i}.bin", "big.bin");
        }

        return builder.ToGzip();
    }

    /// <summary>GNU sparse format 1.0 as GNU tar writes it in pax: a placeholder name, the real one in GNU.sparse.*, a map before the data.</summary>
    private static byte[] PaxSparseFile() => RawTar.Archive(
        RawTar.Pax("GNU.sparse.major=1", "GNU.sparse.minor=0", "GNU.sparse.name=big.bin", "GNU.sparse.realsize=1048576"),
        RawTar.Header("GNUSparseFile.0/big.bin", size: 2 * RawTar.Block),
        RawTar.Data("1\n1048571\n5\n"u8),
        RawTar.Data("hello"u8));

    private static byte[] TruncatedGzip()
    {
        var incompressible = new byte[20_000];
        new Random(1).NextBytes(incompressible);
        var gzip = new TarBuilder().File("fn.py", incompressible).ToGzip();
        return gzip[..(gzip.Length / 2)];
    }

    private static byte[] WithSize(ReadOnlySpan<byte> size) => RawTar.Archive(RawTar.With(RawTar.Header("big.py"), RawTar.Size, size), RawTar.Data("x"u8));

    private static byte[] WithPax(string record) => RawTar.Archive(RawTar.Pax(record), RawTar.Header("a.py", size: 1), RawTar.Data("x"u8));

    private static byte[] BadSecondChecksum()
    {
        var second = RawTar.Header("b.py");
        second[0] = (byte)'c';
        return RawTar.Archive(RawTar.Header("a.py", size: 1), RawTar.Data("x"u8), second);
    }
}
