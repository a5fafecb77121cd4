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

        var validated = Assert.Throws<InvalidPackageException>(() => PackageArchive.Validate(archive()));
        var extracted = Assert.Throws<InvalidPackageException>(() => PackageArchive.Extract(archive(), target));

        Assert.Contains(reason, validated.Message, StringComparison.Ordinal);
        Assert.Equal(validated.Message, extracted.Message);
        Assert.Equal([target], System.IO.Directory.GetFileSystemEntries(_directory, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_good_archive_is_accepted_and_unpacks_as_listed_readable_by_others(bool gzip)
    {
        var builder = new TarBuilder()
            .File("./fn.py", "def handler(params, context):\n    return 1\n")
            .Directory("lib/")
            .File("lib/tool.sh", "#!/bin/sh\n", executable: true)
            .Symlink("lib/fn.py", "../fn.py")
            .Symlink("here", ".")
            .HardLink("copy.py", "fn.py");
        var archive = gzip ? builder.ToGzip() : builder.ToArray();

        PackageArchive.Validate(archive);
        PackageArchive.Extract(archive, _directory);

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

    public void Dispose() => System.IO.Directory.Delete(_directory, recursive: true);
}
