using System.Diagnostics;
using System.Text.Json;
using Fleet.EndToEnd.Tests.Infrastructure;
using Fleet.Gateway.Facades.Fastmap;

namespace Fleet.Facades.Tests.Fastmap;

/// <summary>
/// Fleet's msgpack against Debian's python3-msgpack, which the fastmap client uses: every vector Python packs reads
/// back into values that Fleet writes as the very same bytes, and the replies Fleet builds itself are Python's bytes.
/// </summary>
public sealed class MsgpackTests
{
    private static readonly Lazy<Dictionary<string, byte[]>> Vectors = new(PythonVectors);

    public static TheoryData<string> Cases() => [.. Vectors.Value.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void What_Python_packs_Fleet_reads_and_writes_back_byte_for_byte(string name)
    {
        var python = Vectors.Value[name];

        Assert.Equal(Convert.ToHexStringLower(python), Convert.ToHexStringLower(Msgpack.Write(Msgpack.Read(python))));
    }

    [Fact]
    public void The_replies_Fleet_builds_are_the_bytes_Python_packs_for_them()
    {
        Assert.Equal(Vectors.Value["empty map"], Msgpack.Write(new Dictionary<string, object?>()));
        Assert.Equal(Vectors.Value["init step"], Msgpack.Write(new Dictionary<string, object?> { ["init_step"] = "preparing the function's environment" }));
        Assert.Equal(Vectors.Value["process error"], Msgpack.Write(new Dictionary<string, object?>
        {
            ["exception"] = "ValueError('boom')", ["traceback"] = "Traceback%0A  File", ["bad_modules"] = new List<string> { "a", "b.c" },
        }));
        Assert.Equal(Vectors.Value["positive integers"], Msgpack.Write(new List<object?> { 0, 1, 127, 128, 255, 256, 65535, 65536, (long)uint.MaxValue, 1L << 32, long.MaxValue }));
    }

    [Fact]
    public void Malformed_documents_are_refused_with_a_reason()
    {
        Assert.Throws<MalformedMsgpackException>(() => Msgpack.Read(new byte[] { 0xc1 }));
        Assert.Throws<MalformedMsgpackException>(() => Msgpack.Read(new byte[] { 0x81, 0x01, 0x02 }));
        Assert.Throws<MalformedMsgpackException>(() => Msgpack.Read(new byte[] { 0xdd, 0xff, 0xff, 0xff, 0xff }));
        Assert.Throws<MalformedMsgpackException>(() => Msgpack.Read(new byte[] { 0x80, 0x80 }));
        Assert.Throws<MalformedMsgpackException>(() => Msgpack.Read(Enumerable.Repeat((byte)0x91, 100).Append((byte)0x80).ToArray()));
    }

    private static Dictionary<string, byte[]> PythonVectors()
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "Fleet.Facades.Tests", "Fastmap", "msgpack_vectors.py");
        using var python = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script]) { RedirectStandardOutput = true })!;
        var output = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        Assert.Equal(0, python.ExitCode);
        return JsonSerializer.Deserialize<Dictionary<string, string>>(output)!.ToDictionary(pair => pair.Key, pair => Convert.FromHexString(pair.Value));
    }
}
