using Fleet.Storage.Packages;
using Fleet.Worker.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>
/// A spare instance's mirror of a package never follows a link: links to the package itself (accepted, they point
/// inside) are mirrored as links, not as the 40 nested copies the kernel would let a follower make.
/// </summary>
public sealed class CodeTreeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-codetree-").FullName;

    [Fact]
    public void Links_to_the_package_itself_are_mirrored_as_links_entry_for_entry()
    {
        var archive = new TarBuilder()
            .File("main.py", "def handler(params, context):\n    return 1\n")
            .Symlink("a", ".")
            .Symlink("b", ".")
            .Symlink("loop", ".")
            .Directory("lib")
            .File("lib/tool.py")
            .Symlink("lib/up", "..")
            .HardLink("copy.py", "main.py")
            .ToArray();
        var package = Unpack(archive);
        var mirror = Path.Combine(_directory, "mirror");
        Directory.CreateDirectory(mirror);

        CodeTree.Link(package, mirror, TestContext.Current.CancellationToken);

        Assert.Equal(
            ["a", "b", "copy.py", "lib", "lib/tool.py", "lib/up", "loop", "main.py"],
            FileTree.Entries(mirror).Select(entry => Path.GetRelativePath(mirror, entry.FullName)).Order(StringComparer.Ordinal));
        Assert.Equal(FileTree.Entries(package).Count, FileTree.Entries(mirror).Count);
        Assert.Equal(".", new FileInfo(Path.Combine(mirror, "loop")).LinkTarget);
        Assert.Equal("..", new FileInfo(Path.Combine(mirror, "lib", "up")).LinkTarget);
        Assert.Null(new DirectoryInfo(Path.Combine(mirror, "lib")).LinkTarget);
        Assert.Equal(File.ReadAllText(Path.Combine(package, "main.py")), File.ReadAllText(Path.Combine(mirror, "copy.py")));
    }

    [Fact]
    public void Deleting_a_tree_removes_its_links_and_never_what_they_point_to()
    {
        var outside = Path.Combine(_directory, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "keep.txt"), "keep");
        var tree = Path.Combine(_directory, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(tree, "to-outside"), outside);
        File.CreateSymbolicLink(Path.Combine(tree, "sub", "keep.txt"), Path.Combine(outside, "keep.txt"));
        Directory.CreateSymbolicLink(Path.Combine(tree, "loop"), ".");

        CodeTree.Delete(tree);

        Assert.False(Directory.Exists(tree));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(outside, "keep.txt")));
    }

    [Fact]
    public void A_cancelled_mirror_stops_with_OperationCanceledException_and_can_be_deleted()
    {
        var package = Unpack(new TarBuilder().Directory("lib").File("lib/a.py").Symlink("loop", ".").ToArray());
        var mirror = Path.Combine(_directory, "mirror");
        Directory.CreateDirectory(mirror);

        Assert.Throws<OperationCanceledException>(() => CodeTree.Link(package, mirror, new CancellationToken(canceled: true)));

        CodeTree.Delete(mirror);
        Assert.False(Directory.Exists(mirror));
        Assert.Equal(3, FileTree.Entries(package).Count);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Unpack(byte[] archive)
    {
        var package = Path.Combine(_directory, "package");
        Directory.CreateDirectory(package);
        PackageArchive.Extract(archive, package, PackageLimits.Default, TestContext.Current.CancellationToken);
        return package;
    }
}
