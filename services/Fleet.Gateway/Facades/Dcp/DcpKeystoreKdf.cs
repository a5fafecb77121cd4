using System.Security.Cryptography;
using Nethereum.KeyStore.Crypto;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// A v3 keystore's key derivation as its <c>kdfparams</c> state it. They are untrusted input that chooses its own cost,
/// so they are capped: without caps one Authorization header could pin a core for minutes or take gigabytes.
/// Caps (each above what the standard libraries write): scrypt N a power of two in [2, 2^18], r·p ≤ 16 and memory
/// 128·r·N ≤ 256 MiB (geth's standard N = 2^18, r = 8, p = 1 fits; ethers' default is N = 2^17, r = 8, p = 1);
/// pbkdf2 with prf hmac-sha256 only and c in [1, 10,000,000] (geth writes 262,144); dklen in [32, 64] (the MAC reads
/// bytes 16..32 of the derived key); salt 1..256 bytes.
/// </summary>
internal abstract record DcpKeystoreKdf(int DkLen, byte[] Salt)
{
    public const int MaxScryptN = 1 << 18;
    public const int MaxScryptRTimesP = 16;
    public const long MaxScryptMemoryBytes = 256L * 1024 * 1024;
    public const int MaxPbkdf2Iterations = 10_000_000;
    public const int MinDkLen = 32;
    public const int MaxDkLen = 64;
    public const int MaxSaltBytes = 256;

    /// <summary>The derived key for the password's UTF-8 bytes.</summary>
    public abstract byte[] Derive(byte[] password);

    /// <summary>scrypt with the keystore's N, r, p, or null when they are out of bounds.</summary>
    public static DcpKeystoreKdf? Scrypt(int n, int r, int p, int dkLen, byte[] salt) =>
        n is >= 2 and <= MaxScryptN && (n & (n - 1)) == 0
        && r >= 1 && p >= 1 && (long)r * p <= MaxScryptRTimesP && 128L * r * n <= MaxScryptMemoryBytes
        && Bounded(dkLen, salt)
            ? new ScryptKdf(n, r, p, dkLen, salt)
            : null;

    /// <summary>PBKDF2-HMAC-SHA256 with the keystore's c, or null when it is out of bounds.</summary>
    public static DcpKeystoreKdf? Pbkdf2(int c, int dkLen, byte[] salt) =>
        c is >= 1 and <= MaxPbkdf2Iterations && Bounded(dkLen, salt) ? new Pbkdf2Kdf(c, dkLen, salt) : null;

    private static bool Bounded(int dkLen, byte[] salt) =>
        dkLen is >= MinDkLen and <= MaxDkLen && salt.Length is > 0 and <= MaxSaltBytes;

    /// <summary>scrypt (RFC 7914); the work is Nethereum's (BouncyCastle's scrypt).</summary>
    private sealed record ScryptKdf(int N, int R, int P, int DkLen, byte[] Salt) : DcpKeystoreKdf(DkLen, Salt)
    {
        public override byte[] Derive(byte[] password) => new KeyStoreCrypto().GenerateDerivedScryptKey(password, Salt, N, R, P, DkLen);
    }

    /// <summary>PBKDF2 with HMAC-SHA256: .NET's own, several times faster than a managed one at the same c.</summary>
    private sealed record Pbkdf2Kdf(int Iterations, int DkLen, byte[] Salt) : DcpKeystoreKdf(DkLen, Salt)
    {
        public override byte[] Derive(byte[] password) =>
            Rfc2898DeriveBytes.Pbkdf2(password, Salt, Iterations, HashAlgorithmName.SHA256, DkLen);
    }
}
