using System.Buffers;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// Ethereum's two primitives under DCP identities: Keccak-256 (the original Keccak padding, not NIST SHA3-256) and the
/// address of a secp256k1 private key (the last 20 bytes of the Keccak-256 of the uncompressed public key).
/// </summary>
internal static class DcpKeys
{
    private static readonly Org.BouncyCastle.Asn1.X9.X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Whether every character is a hex digit, either case (true for an empty span).</summary>
    public static bool IsHex(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(HexDigits);

    public static byte[] Keccak256(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        var hash = new byte[32];
        digest.DoFinal(hash);
        return hash;
    }

    /// <summary>Whether the 32 bytes are a usable private key: 1 ≤ key &lt; the curve's order.</summary>
    public static bool IsPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            return false;
        }

        var d = new BigInteger(1, privateKey);
        return d.SignValue > 0 && d.CompareTo(Curve.N) < 0;
    }

    /// <summary>The 20-byte address of a private key that <see cref="IsPrivateKey"/> accepts.</summary>
    public static byte[] AddressOf(ReadOnlySpan<byte> privateKey)
    {
        if (!IsPrivateKey(privateKey))
        {
            throw new ArgumentException("Not a secp256k1 private key.", nameof(privateKey));
        }

        var publicKey = Curve.G.Multiply(new BigInteger(1, privateKey)).Normalize().GetEncoded(false);
        return Keccak256(publicKey.AsSpan(1))[12..];
    }
}
