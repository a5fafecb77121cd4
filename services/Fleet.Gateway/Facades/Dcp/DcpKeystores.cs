using System.Security.Cryptography;
using System.Text;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Crypto;
using Nethereum.KeyStore.Model;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// DCP identity keystores (Ethereum v3 keystores). <see cref="Verify"/> proves the caller holds the keystore and
/// its password, and answers the identity: the key is derived with the keystore's own KDF and parameters (bounded,
/// see <see cref="DcpKeystoreKdf"/>), the MAC <c>keccak256(derivedKey[16..32] ++ ciphertext)</c> is compared in
/// constant time, and the private key it unlocks must be the key of the keystore's <c>address</c>: the MAC does not
/// cover the address, so without that check anyone could relabel a keystore of their own with someone else's
/// identity. Successes are cached (<see cref="DcpIdentityCache"/>).
/// </summary>
internal sealed class DcpKeystores(DcpIdentityCache cache)
{
    /// <summary>scrypt parameters of <see cref="Create"/>: ethers' defaults (about 128 MiB, and 0.5–1 s of a core here).</summary>
    public const int CreateScryptN = 1 << 17;

    public DcpKeystores()
        : this(new DcpIdentityCache())
    {
    }

    /// <summary>The identity (<c>0x</c> + 40 lower-case hex) the keystore and password prove, or null.</summary>
    public string? Verify(string? keystoreJson, string? password)
    {
        if (keystoreJson is null || password is null || keystoreJson.Length > DcpKeystoreDocument.MaxJsonChars)
        {
            return null;
        }

        var key = cache.KeyOf(keystoreJson, password);
        if (cache.TryGet(key, out var known))
        {
            return known;
        }

        if (DcpKeystoreDocument.Parse(keystoreJson) is not { } keystore || Unlock(keystore, password) is not { } identity)
        {
            return null;
        }

        cache.Add(key, identity);
        return identity;
    }

    /// <summary>A new v3 keystore (scrypt, AES-128-CTR) of a fresh random private key, sealed with the password.</summary>
    public static string Create(string password, int scryptN = CreateScryptN)
    {
        ArgumentNullException.ThrowIfNull(password);
        byte[] privateKey;
        do
        {
            privateKey = RandomNumberGenerator.GetBytes(32);
        }
        while (!DcpKeys.IsPrivateKey(privateKey));

        var address = Convert.ToHexStringLower(DcpKeys.AddressOf(privateKey));
        var kdf = new ScryptParams { Dklen = 32, N = scryptN, R = 8, P = 1 };
        var json = new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson(password, privateKey, address, kdf);
        CryptographicOperations.ZeroMemory(privateKey);
        return json;
    }

    private static string? Unlock(DcpKeystoreDocument keystore, string password)
    {
        var crypto = new KeyStoreCrypto();
        var derived = keystore.Kdf.Derive(Encoding.UTF8.GetBytes(password));
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(crypto.GenerateMac(derived, keystore.CipherText), keystore.Mac))
            {
                return null;
            }

            var privateKey = crypto.GenerateAesCtrCipher(keystore.Iv, crypto.GenerateCipherKey(derived), keystore.CipherText);
            try
            {
                return DcpKeys.IsPrivateKey(privateKey)
                       && Convert.ToHexStringLower(DcpKeys.AddressOf(privateKey)) == keystore.Address[2..]
                    ? keystore.Address
                    : null;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(privateKey);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }
    }
}
