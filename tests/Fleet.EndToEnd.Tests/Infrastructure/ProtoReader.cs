using System.Buffers.Binary;

namespace Fleet.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Reads protobuf's wire format field by field: enough to decode OTLP bodies without the generated types (the
/// OpenTelemetry.Proto package is not served here). Each field's value is read once with the method of its wire type.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;
    private int _wireType;

    /// <summary>The next field's number, or false at the end.</summary>
    public bool Next(out int field)
    {
        if (_position >= _data.Length)
        {
            field = 0;
            return false;
        }

        var key = ReadVarint();
        field = (int)(key >> 3);
        _wireType = (int)(key & 7);
        return true;
    }

    public ulong Integer() => _wireType == Varint ? ReadVarint() : ReadFixed64();

    public double Double() => BitConverter.UInt64BitsToDouble(ReadFixed64());

    public ReadOnlySpan<byte> Bytes()
    {
        Expect(LengthDelimited);
        var length = (int)ReadVarint();
        var bytes = _data.Slice(_position, length);
        _position += length;
        return bytes;
    }

    public void Skip()
    {
        switch (_wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                _position += 8;
                break;
            case LengthDelimited:
                Bytes();
                break;
            case Fixed32:
                _position += 4;
                break;
            default:
                throw new InvalidDataException($"wire type {_wireType} at byte {_position}");
        }
    }

    private ulong ReadFixed64()
    {
        Expect(Fixed64);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = _data[_position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    private readonly void Expect(int wireType)
    {
        if (_wireType != wireType)
        {
            throw new InvalidDataException($"wire type {_wireType} where {wireType} was expected at byte {_position}");
        }
    }
}
