using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Fleet.Worker.Tests;

/// <summary>
/// Tar archives byte by byte, for what <see cref="System.Formats.Tar.TarWriter"/> refuses to write: any value in any header
/// field (sealed with a correct checksum, so the value itself is what gets tested), sparse types, pax records of any
/// kind, archives cut short.
/// </summary>
internal static class RawTar
{
    public const int Block = 512;
    public const int TypeFlag = 156;

    public static readonly TarField Name = new(0, 100);
    public static readonly TarField Mode = new(100, 8);
    public static readonly TarField Uid = new(108, 8);
    public static readonly TarField Gid = new(116, 8);
    public static readonly TarField Size = new(124, 12);
    public static readonly TarField MTime = new(136, 12);
    public static readonly TarField Checksum = new(148, 8);
    public static readonly TarField LinkName = new(157, 100);
    public static readonly TarField MagicAndVersion = new(257, 8);
    public static readonly TarField UName = new(265, 32);
    public static readonly TarField GName = new(297, 32);
    public static readonly TarField DevMajor = new(329, 8);
    public static readonly TarField DevMinor = new(337, 8);
    public static readonly TarField Prefix = new(345, 155);

    /// <summary>A ustar header (GNU's magic when <paramref name="gnu"/>) with a correct checksum.</summary>
    public static byte[] Header(string name, char type = '0', long size = 0, string linkName = "", bool gnu = false)
    {
        var header = new byte[Block];
        Put(header, Name, Encoding.UTF8.GetBytes(name));
        Put(header, Mode, "0000644\0"u8);
        Put(header, Uid, "0001750\0"u8);
        Put(header, Gid, "0001750\0"u8);
        Put(header, Size, Octal(size, 12));
        Put(header, MTime, "15070000000\0"u8);
        header[TypeFlag] = (byte)type;
        Put(header, LinkName, Encoding.UTF8.GetBytes(linkName));
        Put(header, MagicAndVersion, gnu ? "ustar  \0"u8 : "ustar\u000000"u8);
        Seal(header);
        return header;
    }

    /// <summary>A copy of the header with one field replaced (NUL-padded or cut to the field's length) and the checksum redone.</summary>
    public static byte[] With(byte[] header, TarField field, ReadOnlySpan<byte> value)
    {
        var copy = header.ToArray();
        Put(copy, field, value);
        Seal(copy);
        return copy;
    }

    /// <summary>Writes <paramref name="value"/> into the field, NUL-padded or cut to its length; the checksum is left as it was.</summary>
    public static void Put(Span<byte> header, TarField field, ReadOnlySpan<byte> value)
    {
        var slot = header.Slice(field.Offset, field.Length);
        slot.Clear();
        value[..Math.Min(value.Length, slot.Length)].CopyTo(slot);
    }

    /// <summary>Computes the header's checksum (its bytes summed, the field itself counted as spaces) and stores it.</summary>
    public static void Seal(Span<byte> header)
    {
        header.Slice(Checksum.Offset, Checksum.Length).Fill((byte)' ');
        var sum = 0;
        foreach (var b in header[..Block])
        {
            sum += b;
        }

        Put(header, Checksum, Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 "));
    }

    /// <summary>Digits for a numeric field: zero-padded octal and a NUL, as tar writes them.</summary>
    public static byte[] Octal(long value, int fieldLength) =>
        Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(fieldLength - 1, '0') + "\0");

    /// <summary>A base-256 numeric field: a first byte of 0x80 and the value big-endian in the rest.</summary>
    public static byte[] Base256(ulong value, int fieldLength)
    {
        var field = new byte[fieldLength];
        field[0] = 0x80;
        for (var i = fieldLength - 1; i > 0 && value > 0; i--, value >>= 8)
        {
            field[i] = (byte)value;
        }

        return field;
    }

    /// <summary>The data padded to whole blocks.</summary>
    public static byte[] Data(ReadOnlySpan<byte> data)
    {
        var padded = new byte[(data.Length + Block - 1) / Block * Block];
        data.CopyTo(padded);
        return padded;
    }

    /// <summary>A pax extended header ('x') with its records, each "key=value", for the entry that follows it.</summary>
    public static byte[] Pax(params string[] records)
    {
        var data = Encoding.UTF8.GetBytes(string.Concat(records.Select(PaxRecord)));
        return [.. Header("PaxHeaders/entry", 'x', data.Length), .. Data(data)];
    }

    /// <summary>"LENGTH key=value\n", LENGTH counting the whole record, its own digits included.</summary>
    public static string PaxRecord(string keyValue)
    {
        var rest = Encoding.UTF8.GetByteCount(keyValue) + 2;
        var length = rest + 1;
        while (length.ToString(CultureInfo.InvariantCulture).Length + rest != length)
        {
            length++;
        }

        return $"{length} {keyValue}\n";
    }

    /// <summary>The parts in order, then the end-of-archive marker (two zero blocks).</summary>
    public static byte[] Archive(params IEnumerable<byte[]> parts) => [.. Concat(parts), .. new byte[2 * Block]];

    public static byte[] Concat(params IEnumerable<byte[]> parts) => [.. parts.SelectMany(part => part)];

    public static byte[] Gzip(byte[] tar)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar);
        }

        return stream.ToArray();
    }

    /// <summary>Where each header of a well-formed archive starts (pax and GNU metadata headers included), up to the end marker.</summary>
    public static List<int> HeaderOffsets(byte[] tar)
    {
        var offsets = new List<int>();
        for (var at = 0; at + Block <= tar.Length && tar.AsSpan(at, Block).ContainsAnyExcept((byte)0);)
        {
            offsets.Add(at);
            var size = Convert.ToInt64(Encoding.ASCII.GetString(tar, at + Size.Offset, Size.Length - 1).Trim('\0', ' ') is { Length: > 0 } digits ? digits : "0", 8);
            at += Block + (int)((size + Block - 1) / Block * Block);
        }

        return offsets;
    }
}
