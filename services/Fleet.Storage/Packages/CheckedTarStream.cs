using System.Buffers.Binary;
using System.Globalization;

namespace Fleet.Storage.Packages;

/// <summary>
/// The decompressed tar as <see cref="System.Formats.Tar.TarReader"/> reads it: forward only, and each 512-byte header
/// checked before it is handed over. TarReader (as of .NET 10) does not verify header checksums, reads a pax or GNU
/// long-name block of any declared size into one buffer, and turns huge, negative and sparse size fields into assorted
/// exceptions; this stream refuses all of those with an <see cref="InvalidPackageException"/> first. It walks the blocks
/// the way TarReader does (header, data rounded up to 512 bytes, a pax "size" record overriding the next header's
/// field); should the two ever disagree, this stream soon meets a data block where it expects a header, which fails
/// its checksum: a disagreement ends in a refusal, not in an archive let through. Not seekable, so TarReader reads the
/// data it skips through here too, and the bytes it reads in all are capped.
/// </summary>
internal sealed class CheckedTarStream : Stream
{
    private const int Block = 512;
    private const int SizeField = 124;
    private const int ChecksumField = 148;
    private const int TypeField = 156;

    /// <summary>A pax record or GNU long name this large is no path or link target; refused before TarReader buffers it.</summary>
    private const int MaxMetadataBytes = 256 * 1024;

    /// <summary>What a package's tar may hold beyond its files' data, per entry: headers, padding, pax records.</summary>
    private const int MetadataAllowancePerEntry = 16 * 1024;

    private readonly Stream _inner;
    private readonly long _maxEntryBytes;
    private readonly long _maxArchiveBytes;
    private readonly byte[] _header = new byte[Block];
    private long _position;
    private long _nextHeader;
    private int _headerFill;
    private byte[]? _pax;
    private int _paxFill;
    private long? _paxSize;

    public CheckedTarStream(Stream inner, PackageLimits limits)
    {
        _inner = inner;
        _maxEntryBytes = limits.MaxUnpackedBytes;
        var allowance = (long)limits.MaxEntries * MetadataAllowancePerEntry;
        _maxArchiveBytes = limits.MaxUnpackedBytes > long.MaxValue - allowance ? long.MaxValue : limits.MaxUnpackedBytes + allowance;
    }

    /// <summary>An all-zero header block was read: the archive's end-of-archive marker.</summary>
    public bool Ended { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // An empty read (SubReadStream makes one at the end of an entry's data) returns 0 without meaning the end.
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var read = _inner.Read(buffer);
        if (read == 0)
        {
            // TarReader reads on only while it expects a header or data: the end before the end-of-archive marker.
            return Ended ? 0
                : _position == 0 ? throw PackageEntryRules.Empty()
                : throw new InvalidPackageException(_position < Block ? PackageArchive.NotATar : "truncated archive");
        }

        Inspect(buffer[..read]);
        _position += read;
        return _position > _maxArchiveBytes ? throw PackageEntryRules.TooLarge() : read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Follows the bytes about to be returned: data is passed over (a pax block collected), headers checked.</summary>
    private void Inspect(ReadOnlySpan<byte> bytes)
    {
        var at = _position;
        while (bytes.Length > 0 && !Ended)
        {
            if (at < _nextHeader)
            {
                var data = (int)Math.Min(bytes.Length, _nextHeader - at);
                CollectPax(bytes[..data]);
                at += data;
                bytes = bytes[data..];
                continue;
            }

            var part = Math.Min(bytes.Length, Block - _headerFill);
            bytes[..part].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += part;
            at += part;
            bytes = bytes[part..];
            if (_headerFill == Block)
            {
                _headerFill = 0;
                CheckHeader(at - Block);
            }
        }
    }

    private void CheckHeader(long start)
    {
        if (!_header.AsSpan().ContainsAnyExcept((byte)0))
        {
            Ended = true;
            return;
        }

        if (!ChecksumMatches(_header))
        {
            throw new InvalidPackageException(start == 0 ? PackageArchive.NotATar : $"bad checksum in the tar header at byte {start}");
        }

        var type = (char)_header[TypeField];
        if (type == 'S')
        {
            throw PackageEntryRules.Sparse();
        }

        var size = ParseSize(_header.AsSpan(SizeField, 12));
        size = _paxSize ?? size;
        _paxSize = null;
        if (type is 'x' or 'g' or 'L' or 'K')
        {
            if (size > MaxMetadataBytes)
            {
                throw new InvalidPackageException("tar metadata entry too large");
            }

            _pax = type == 'x' && size > 0 ? new byte[size] : null;
            _paxFill = 0;
        }
        else if (size > _maxEntryBytes)
        {
            throw PackageEntryRules.TooLarge();
        }

        _nextHeader = start + Block + ((size + Block - 1) / Block * Block);
    }

    private void CollectPax(ReadOnlySpan<byte> data)
    {
        if (_pax is null)
        {
            return;
        }

        var part = Math.Min(data.Length, _pax.Length - _paxFill);
        data[..part].CopyTo(_pax.AsSpan(_paxFill));
        _paxFill += part;
        if (_paxFill == _pax.Length)
        {
            ReadPaxRecords(_pax);
            _pax = null;
        }
    }

    /// <summary>
    /// Pax records are "LENGTH KEY=VALUE\n", LENGTH counting the whole record. Notes the "size" that overrides the next
    /// header's field, and refuses GNU sparse files, which TarReader would hand over as their raw sparse map and data.
    /// </summary>
    private void ReadPaxRecords(ReadOnlySpan<byte> records)
    {
        while (records.Length > 0)
        {
            var space = records.IndexOf((byte)' ');
            if (space <= 0
                || !int.TryParse(records[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length <= space + 2 || length > records.Length || records[length - 1] != '\n')
            {
                throw new InvalidPackageException("malformed pax header");
            }

            var record = records[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            var key = equals > 0 ? record[..equals] : throw new InvalidPackageException("malformed pax header");
            if (key.StartsWith("GNU.sparse."u8))
            {
                throw PackageEntryRules.Sparse();
            }

            if (key.SequenceEqual("size"u8))
            {
                _paxSize = long.TryParse(record[(equals + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                    ? size
                    : throw new InvalidPackageException("bad size in a pax header");
            }

            records = records[length..];
        }
    }

    /// <summary>The stored checksum is the sum of the header's bytes with the field itself as spaces; old tars summed signed bytes.</summary>
    private static bool ChecksumMatches(ReadOnlySpan<byte> header)
    {
        if (!TryParseOctal(header.Slice(ChecksumField, 8), out var stored))
        {
            return false;
        }

        long unsigned = ' ' * 8;
        long signed = ' ' * 8;
        for (var i = 0; i < Block; i++)
        {
            if (i is < ChecksumField or >= ChecksumField + 8)
            {
                unsigned += header[i];
                signed += (sbyte)header[i];
            }
        }

        return stored == unsigned || stored == signed;
    }

    /// <summary>Octal digits, or base-256 when the first byte has its high bit (0x80 positive, 0xFF negative).</summary>
    private static long ParseSize(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) == 0)
        {
            return TryParseOctal(field, out var octal) ? octal : throw new InvalidPackageException("malformed size in a tar header");
        }

        if (field[0] == 0xFF)
        {
            throw new InvalidPackageException("negative size in a tar header");
        }

        // Anything over 8 bytes of magnitude is beyond every limit; the last 8 bytes are then read as unsigned.
        return field[0] != 0x80 ? throw new InvalidPackageException("malformed size in a tar header")
            : field[1..^8].ContainsAnyExcept((byte)0) || (field[^8] & 0x80) != 0 ? throw PackageEntryRules.TooLarge()
            : BinaryPrimitives.ReadInt64BigEndian(field[^8..]);
    }

    /// <summary>Leading spaces, octal digits, then only spaces and NULs; no digits at all reads as 0.</summary>
    private static bool TryParseOctal(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        var i = 0;
        while (i < field.Length && field[i] == ' ')
        {
            i++;
        }

        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++)
        {
            value = (value * 8) + (field[i] - '0');
        }

        return !field[i..].ContainsAnyExcept((byte)' ', (byte)0);
    }
}
