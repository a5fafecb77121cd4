using System.Text;

namespace Fleet.Worker.Tests;

/// <summary>
/// Random damage to a valid archive, reproducible from the <see cref="Random"/>'s seed: byte flips, cuts, blocks
/// inserted and removed, header fields rewritten with the checksum recomputed (so the value, not the checksum, is what
/// the reader meets), pax records inserted, compressed bytes damaged, and plain garbage.
/// </summary>
internal sealed class TarMutator(Random random)
{
    private static readonly string[] Names =
        ["../x", "/etc/x", "a/../../b", "", ".", "./", "fn.py", "lib", "lib/fn.py/x", "here/x", "GNUSparseFile.1/x", new('n', 100)];

    private static readonly string[] LinkNames = ["..", "../..", "/", "/etc/passwd", ".", "fn.py", "missing", "lib", "here/../..", "lib/fn.py", ""];

    private static readonly string[] PaxRecords =
    [
        "path=../x", "path=/abs", "path=fresh.py", "path=lib", $"path={new string('a', 300)}", "path=a\0b", "linkpath=..", "linkpath=/etc",
        "linkpath=fn.py", "linkpath=fn.py\0x", "size=0", "size=5", "size=1024", "size=99999999999999999999", "size=-1", "size=abc", "size=300000000",
        "GNU.sparse.major=1", "GNU.sparse.minor=0", "GNU.sparse.realsize=100", "GNU.sparse.name=x", "mtime=abc", "mtime=1e400",
        "uid=-1", "uid=99999999999", "mode=777", "mode=abc", "SCHILY.xattr.user.x=y", "hdrcharset=BINARY", "uname=x",
        $"comment={new string('c', 2000)}",
    ];

    private static readonly RawTarFieldChoice[] Fields =
    [
        new(RawTar.Name, Pick(Names)), new(RawTar.LinkName, Pick(LinkNames)), new(RawTar.Prefix, Pick(["..", "/abs", "a", "", new('p', 155)])),
        new(RawTar.Size, null), new(RawTar.Mode, null), new(RawTar.Uid, null), new(RawTar.Gid, null), new(RawTar.MTime, null),
        new(RawTar.MagicAndVersion, Pick(["ustar\000", "ustar  \0", "\0", "ustar\0xx"])), new(RawTar.UName, null),
        new(RawTar.GName, null), new(RawTar.DevMajor, null), new(RawTar.DevMinor, null),
    ];

    private const string TypeFlags = "0123456789xgLKSDMNVAI\0 ";

    /// <summary>One mutation of the seed: what was done, and the bytes to send (gzip-compressed for a gzip seed).</summary>
    public (string Mutation, byte[] Bytes) Mutate(FuzzSeed seed)
    {
        if (seed.Gzip && random.Next(4) == 0)
        {
            var compressed = RawTar.Gzip(seed.Tar);
            return random.Next(2) == 0 ? ("compressed bytes flipped", Flip(compressed)) : ("compressed bytes cut", Cut(compressed));
        }

        var (mutation, tar) = random.Next(10) switch
        {
            0 => ("bytes flipped", Flip(seed.Tar)),
            1 => ("cut", Cut(seed.Tar)),
            2 => ("block inserted", InsertBlock(seed.Tar)),
            3 => ("block removed", RemoveBlock(seed.Tar)),
            4 or 5 => ("header field rewritten", RewriteFields(seed, 1)),
            6 => ("header fields rewritten", RewriteFields(seed, 1 + random.Next(4))),
            7 => ("pax records inserted", InsertPax(seed)),
            8 => ("type flag rewritten", RewriteType(seed)),
            _ => ("garbage", Garbage()),
        };
        return (mutation, seed.Gzip ? RawTar.Gzip(tar) : tar);
    }

    private static Func<Random, byte[]> Pick(string[] values) => random => Encoding.UTF8.GetBytes(values[random.Next(values.Length)]);

    private byte[] Flip(byte[] bytes)
    {
        var copy = bytes.ToArray();
        for (var i = random.Next(1, 5); i > 0; i--)
        {
            copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
        }

        return copy;
    }

    private byte[] Cut(byte[] bytes) => bytes[..random.Next(bytes.Length)];

    private byte[] InsertBlock(byte[] tar)
    {
        var at = random.Next(2) == 0 ? random.Next(tar.Length / RawTar.Block) * RawTar.Block : random.Next(tar.Length);
        var block = new byte[RawTar.Block];
        switch (random.Next(3))
        {
            case 0:
                random.NextBytes(block);
                break;
            case 1:
                tar.AsSpan(random.Next(tar.Length / RawTar.Block) * RawTar.Block, RawTar.Block).CopyTo(block);
                break;
        }

        return [.. tar[..at], .. block, .. tar[at..]];
    }

    private byte[] RemoveBlock(byte[] tar)
    {
        var at = random.Next(tar.Length / RawTar.Block) * RawTar.Block;
        var length = random.Next(2) == 0 ? RawTar.Block : random.Next(1, RawTar.Block * 2);
        return [.. tar[..at], .. tar[Math.Min(tar.Length, at + length)..]];
    }

    private byte[] RewriteFields(FuzzSeed seed, int fields)
    {
        var tar = seed.Tar.ToArray();
        var header = tar.AsSpan(seed.Headers[random.Next(seed.Headers.Count)], RawTar.Block);
        for (var i = 0; i < fields; i++)
        {
            var choice = Fields[random.Next(Fields.Length)];
            RawTar.Put(header, choice.Field, choice.Values?.Invoke(random) ?? Number(choice.Field.Length));
        }

        RawTar.Seal(header);
        return tar;
    }

    private byte[] RewriteType(FuzzSeed seed)
    {
        var tar = seed.Tar.ToArray();
        var header = tar.AsSpan(seed.Headers[random.Next(seed.Headers.Count)], RawTar.Block);
        header[RawTar.TypeFlag] = (byte)TypeFlags[random.Next(TypeFlags.Length)];
        RawTar.Seal(header);
        return tar;
    }

    /// <summary>A pax header before a random header, with random records, sometimes one of them mis-measured.</summary>
    private byte[] InsertPax(FuzzSeed seed)
    {
        var records = Enumerable.Range(0, random.Next(1, 4)).Select(_ => PaxRecords[random.Next(PaxRecords.Length)]).ToArray();
        var pax = RawTar.Pax(records);
        if (random.Next(4) == 0)
        {
            pax[RawTar.Block] = (byte)('1' + random.Next(9));
        }

        var at = seed.Headers[random.Next(seed.Headers.Count)];
        return [.. seed.Tar[..at], .. pax, .. seed.Tar[at..]];
    }

    /// <summary>Random bytes, or random bytes behind gzip's magic, or sealed headers of random content.</summary>
    private byte[] Garbage()
    {
        var bytes = new byte[random.Next(RawTar.Block * 4)];
        random.NextBytes(bytes);
        switch (random.Next(3))
        {
            case 0 when bytes.Length >= 2:
                bytes[0] = 0x1f;
                bytes[1] = 0x8b;
                break;
            case 1:
                for (var at = 0; at + RawTar.Block <= bytes.Length; at += RawTar.Block)
                {
                    RawTar.Seal(bytes.AsSpan(at, RawTar.Block));
                }

                break;
        }

        return bytes;
    }

    /// <summary>A numeric field's value: valid octal of any size, base-256 positive or negative, or not a number at all.</summary>
    private byte[] Number(int length) => random.Next(8) switch
    {
        0 => RawTar.Octal(random.Next(4096), length),
        1 => RawTar.Octal(random.NextInt64(1L << Math.Min(33, (length - 1) * 3)), length),
        2 => RawTar.Octal((1L << ((length - 1) * 3)) - 1, length),
        3 => RawTar.Base256((ulong)random.NextInt64(), length),
        4 => [.. Enumerable.Repeat((byte)0xFF, length)],
        5 => [0x80, .. Enumerable.Repeat((byte)0xFF, length - 1)],
        6 => Encoding.ASCII.GetBytes(new string(' ', length - 1) + "7"),
        _ => Encoding.ASCII.GetBytes(new string('9', length)),
    };
}
