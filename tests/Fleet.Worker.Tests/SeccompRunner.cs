using System.Buffers.Binary;

namespace Fleet.Worker.Tests;

/// <summary>
/// Runs a classic BPF seccomp program over one <c>struct seccomp_data</c> as the kernel would, for the instructions
/// <see cref="Fleet.Worker.Runtimes.SeccompFilter"/> uses: what it returns for architectures this machine is not.
/// </summary>
internal static class SeccompRunner
{
    public static uint Run(byte[] program, uint arch, int number, ulong firstArgument = 0)
    {
        var data = new byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(data, number);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), arch);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16), firstArgument);
        uint accumulator = 0;
        for (var counter = 0; ; counter++)
        {
            var instruction = program.AsSpan(counter * 8, 8);
            var (ifTrue, ifFalse) = (instruction[2], instruction[3]);
            var k = BinaryPrimitives.ReadUInt32LittleEndian(instruction[4..]);
            switch (BinaryPrimitives.ReadUInt16LittleEndian(instruction))
            {
                case 0x20:
                    accumulator = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)k));
                    break;
                case 0x15:
                    counter += accumulator == k ? ifTrue : ifFalse;
                    break;
                case 0x35:
                    counter += accumulator >= k ? ifTrue : ifFalse;
                    break;
                case 0x45:
                    counter += (accumulator & k) != 0 ? ifTrue : ifFalse;
                    break;
                case 0x05:
                    counter += (int)k;
                    break;
                case 0x06:
                    return k;
                default:
                    throw new InvalidDataException($"instruction {counter} is not one of the filter's");
            }
        }
    }
}
