using System.Formats.Tar;
using System.Net;
using System.Text;
using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.EndToEnd.Tests;

/// <summary>The attacker's packages, through the gateway and the real workers in their sandboxes: refused with 400, or run harmlessly.</summary>
[Collection(nameof(FleetCollection))]
public sealed class HostilePackageTests(FleetCluster fleet)
{
    private const string Main = "import os\ndef handler(params, context):\n    return sum(len(dirs) + len(files) for _, dirs, files in os.walk('/code'))\n";

    private readonly ServerledgeApi _api = new(fleet.Gateway);

    [Fact]
    public async Task Symlinks_to_the_package_itself_run_as_links_and_a_cold_start_copies_nothing_through_them()
    {
        var name = ServerledgeApi.UniqueName("loops");
        var package = Archive(writer =>
        {
            File(writer, "main.py", Main);
            writer.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "a") { LinkName = "." });
            writer.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "b") { LinkName = "." });
        });
        using (var created = await _api.CreateRawAsync(name, "python310", "main.handler", package))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        using var cold = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await _api.InvokeAsync(name, new { }, cold.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"Result\":\"3\"", await response.Content.ReadAsStringAsync(cold.Token), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "hard links past the size cap", "package too large when unpacked" },
        { "more entries than the cap", "package has more than 10000 entries" },
        { "size field 77777777777", "" },
        { "base-256 size beyond any file", "" },
        { "GNU sparse entry", "" },
        { "bad checksum in the first header", "not a tar or gzip tar archive" },
        { "truncated", "truncated archive" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_malformed_or_oversized_package_is_refused_with_400_and_its_reason(string kind, string reason)
    {
        using var created = await _api.CreateRawAsync(ServerledgeApi.UniqueName("evil"), "python310", "main.handler", Hostile(kind));
        var body = await created.Content.ReadAsStringAsync();

        Assert.True(created.StatusCode == HttpStatusCode.BadRequest, $"{(int)created.StatusCode}: {body}");
        Assert.Equal("text/plain", created.Content.Headers.ContentType!.MediaType);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.NotEqual("", body);
        Assert.StartsWith(reason, body, StringComparison.Ordinal);
    }

    private static byte[] Hostile(string kind) => kind switch
    {
        "hard links past the size cap" => Tar.Gzip(Archive(writer =>
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "big") { DataStream = new MemoryStream(new byte[100 << 20]) });
            for (var link = 0; link < 30; link++)
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.HardLink, $"link-{link}") { LinkName = "big" });
            }
        })),
        "more entries than the cap" => Tar.Gzip(Archive(writer =>
        {
            for (var file = 0; file <= 10_000; file++)
            {
                File(writer, $"f{file}", "");
            }
        })),
        "size field 77777777777" => WithHeaderField(124, "77777777777\0"),
        "base-256 size beyond any file" => WithHeaderField(124, "\x80\x7f\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
        "GNU sparse entry" => WithHeaderField(156, "S"),
        "bad checksum in the first header" => WithHeaderField(148, "0000000\0", recomputeChecksum: false),
        "truncated" => Archive(writer => File(writer, "main.py", Main))[..700],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>A one-file archive whose first header has the field at <paramref name="offset"/> rewritten.</summary>
    private static byte[] WithHeaderField(int offset, string value, bool recomputeChecksum = true)
    {
        var archive = Archive(writer => File(writer, "main.py", Main));
        Encoding.Latin1.GetBytes(value).CopyTo(archive, offset);
        if (recomputeChecksum)
        {
            "        "u8.CopyTo(archive.AsSpan(148));
            var sum = archive.AsSpan(0, 512).ToArray().Sum(b => b);
            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(archive, 148);
        }

        return archive;
    }

    private static byte[] Archive(Action<TarWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true))
        {
            write(writer);
        }

        return stream.ToArray();
    }

    private static void File(TarWriter writer, string name, string content) =>
        writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead,
        });
}
