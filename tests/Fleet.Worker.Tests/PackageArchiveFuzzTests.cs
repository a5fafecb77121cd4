using System.Diagnostics;
using System.Formats.Tar;
using Fleet.Storage.Packages;
using Fleet.Worker.Runtimes;
using Xunit.Sdk;

namespace Fleet.Worker.Tests;

/// <summary>
/// Thousands of damaged archives, reproducibly (fixed seed): each is either refused with an
/// <see cref="InvalidPackageException"/> (by Extract too, with the same reason and nothing written), or accepted, and then
/// it unpacks without any exception, everything in it resolves (by the kernel) inside its directory, and its mirror
/// has exactly its entries. Any other exception would be a 500 at the gateway or a crashed unpack at the worker.
/// </summary>
public sealed class PackageArchiveFuzzTests : IDisposable
{
    private const int Seed = 20261201;
    private const int Mutations = 4000;

    /// <summary>
    /// On tmpfs where there is one: the accepted archives are unpacked, mirrored and deleted by the thousand, about ten
    /// times faster there than on this machine's disk.
    /// </summary>
    private readonly string _directory = Directory.CreateDirectory(
        Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"fleet-fuzz-{Guid.NewGuid():N}")).FullName;

    [Fact]
    public void Every_mutated_archive_is_refused_as_invalid_or_unpacks_and_mirrors_inside_its_directory()
    {
        var seeds = Seeds();
        var mutator = new TarMutator(new Random(Seed));
        var refusals = new Dictionary<string, int>(StringComparer.Ordinal);
        var accepted = 0;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Mutations; i++)
        {
            var seed = seeds[i % seeds.Count];
            var (mutation, bytes) = mutator.Mutate(seed);
            try
            {
                if (Refusal(bytes) is { } reason)
                {
                    refusals[reason] = refusals.GetValueOrDefault(reason) + 1;
                }
                else
                {
                    UnpackAndMirror(bytes, Path.Combine(_directory, $"{i}"));
                    accepted++;
                }
            }
            catch (Exception error) when (error is not XunitException)
            {
                Assert.Fail($"mutation {i} ({mutation} of {seed.Name}) threw {error}\nbytes (base64): {Convert.ToBase64String(bytes)}");
            }
        }

        TestContext.Current.SendDiagnosticMessage(
            $"{Mutations} mutations in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s: {accepted} accepted, refused for {refusals.Count} reasons");
        Assert.InRange(accepted, Mutations / 20, Mutations - (Mutations / 20));
        Assert.True(refusals.Count >= 20, $"only {refusals.Count} reasons: {string.Join("; ", refusals.Keys)}");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Plain and gzip, pax, GNU (long names as 'L'/'K'), ustar (prefix field) and v7; dirs, links, hard links.</summary>
    private static List<FuzzSeed> Seeds()
    {
        var seeds = new List<FuzzSeed>();
        foreach (var format in new[] { TarEntryFormat.Pax, TarEntryFormat.Gnu, TarEntryFormat.Ustar, TarEntryFormat.V7 })
        {
            var builder = TarBuilder.Sample()
                .File("data.bin", [.. Enumerable.Range(0, 1500).Select(i => (byte)i)]);
            if (format != TarEntryFormat.V7)
            {
                builder.File($"deep/{new string('d', 60)}/{new string('e', 60)}.py");
            }

            if (format is TarEntryFormat.Pax or TarEntryFormat.Gnu)
            {
                builder.Symlink("lib/far", $"../{new string('f', 120)}");
            }

            var tar = builder.ToArray(format);
            seeds.Add(new FuzzSeed($"{format}", tar, Gzip: false));
            if (format is TarEntryFormat.Pax or TarEntryFormat.Gnu)
            {
                seeds.Add(new FuzzSeed($"{format} gzip", tar, Gzip: true));
            }
        }

        return seeds;
    }

    /// <summary>Null when the package is accepted; otherwise the reason, after checking Extract refuses it alike and writes nothing.</summary>
    private string? Refusal(byte[] bytes)
    {
        try
        {
            PackageArchive.Validate(bytes, PackageLimits.Default, TestContext.Current.CancellationToken);
            return null;
        }
        catch (InvalidPackageException refused)
        {
            var refusedToo = Assert.Throws<InvalidPackageException>(() =>
                PackageArchive.Extract(bytes, _directory, PackageLimits.Default, TestContext.Current.CancellationToken));
            Assert.Equal(refused.Message, refusedToo.Message);
            Assert.Empty(Directory.GetFileSystemEntries(_directory));
            return refused.Message;
        }
    }

    private static void UnpackAndMirror(byte[] bytes, string root)
    {
        var code = Path.Combine(root, "code");
        Directory.CreateDirectory(code);
        PackageArchive.Extract(bytes, code, PackageLimits.Default, TestContext.Current.CancellationToken);

        Assert.Equal([code], Directory.GetFileSystemEntries(root));
        var inside = RealPath.Of(code)!;
        var entries = FileTree.Entries(code);
        foreach (var entry in entries)
        {
            if (RealPath.Of(entry.FullName) is { } resolved)
            {
                Assert.True(resolved == inside || resolved.StartsWith(inside + "/", StringComparison.Ordinal), $"{entry.FullName} resolves to {resolved}");
            }
        }

        var mirror = Path.Combine(root, "mirror");
        Directory.CreateDirectory(mirror);
        CodeTree.Link(code, mirror, TestContext.Current.CancellationToken);
        Assert.Equal(entries.Count, FileTree.Entries(mirror).Count);
        Directory.Delete(root, recursive: true);
    }
}
