using System.Security.Cryptography;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// DCP addresses (identities, accounts, job ids): 20 bytes written <c>0x</c> + 40 hex digits. Fleet compares them
/// in <see cref="Normalize"/>d form (lower case) and writes new ones with the EIP-55 mixed-case checksum.
/// </summary>
internal static class DcpAddresses
{
    public const int Length = 20;


    /// <summary><c>0x</c> + 40 lower-case hex digits, from the address with or without <c>0x</c>, in any case; null when it is no address.</summary>
    public static string? Normalize(string? address)
    {
        var digits = address.AsSpan().Trim();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        return digits.Length == 2 * Length && DcpKeys.IsHex(digits) ? "0x" + digits.ToString().ToLowerInvariant() : null;
    }

    /// <summary>The EIP-55 form of 20 address bytes: a hex letter is upper case where the Keccak-256 of the lower-case hex has a nibble ≥ 8.</summary>
    public static string Checksum(ReadOnlySpan<byte> address)
    {
        if (address.Length != Length)
        {
            throw new ArgumentException($"An address has {Length} bytes.", nameof(address));
        }

        var lower = Convert.ToHexStringLower(address);
        var hash = DcpKeys.Keccak256(System.Text.Encoding.ASCII.GetBytes(lower));
        return string.Create(2 + lower.Length, (lower, hash), static (chars, state) =>
        {
            chars[0] = '0';
            chars[1] = 'x';
            for (var i = 0; i < state.lower.Length; i++)
            {
                var nibble = (i % 2 == 0 ? state.hash[i / 2] >> 4 : state.hash[i / 2]) & 0xF;
                var c = state.lower[i];
                chars[2 + i] = nibble >= 8 ? char.ToUpperInvariant(c) : c;
            }
        });
    }

    /// <summary>The EIP-55 form of an address in any accepted spelling; null when it is no address.</summary>
    public static string? Checksum(string? address) =>
        Normalize(address) is { } normal ? Checksum(Convert.FromHexString(normal.AsSpan(2))) : null;

    /// <summary>Whether the address is written exactly in its EIP-55 form (<c>0x</c> and mixed case).</summary>
    public static bool HasValidChecksum(string? address) =>
        address is not null && address.StartsWith("0x", StringComparison.Ordinal) && Checksum(address) == address;

    /// <summary>A new job id: 20 random bytes in EIP-55 form.</summary>
    public static string NewJobId()
    {
        Span<byte> id = stackalloc byte[Length];
        RandomNumberGenerator.Fill(id);
        return Checksum(id);
    }
}
