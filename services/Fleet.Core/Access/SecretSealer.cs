using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Fleet.Core.Access;

/// <summary>
/// Encrypts the secrets the fleet must read back (an API's signing keys) before they reach the store: AES-256-GCM
/// under a key derived from <see cref="CoreOptions.SecretsKey"/>, or from the key file when none is configured (made
/// on first use, mode 600). Every gateway of a fleet needs the same key.
/// </summary>
internal sealed class SecretSealer
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly Lazy<byte[]> _key;

    public SecretSealer(IOptions<CoreOptions> options) => _key = new Lazy<byte[]>(() => KeyOf(options.Value));

    /// <summary>nonce | ciphertext | tag.</summary>
    public byte[] Seal(ReadOnlySpan<byte> secret)
    {
        var sealedBytes = new byte[NonceBytes + secret.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key.Value, TagBytes);
        aes.Encrypt(nonce, secret, sealedBytes.AsSpan(NonceBytes, secret.Length), sealedBytes.AsSpan(NonceBytes + secret.Length));
        return sealedBytes;
    }

    /// <summary>The secret, or null when the bytes were not sealed under this key (or were changed since).</summary>
    public byte[]? Open(ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            return null;
        }

        var secret = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key.Value, TagBytes);
        try
        {
            aes.Decrypt(sealedBytes[..NonceBytes], sealedBytes[NonceBytes..^TagBytes], sealedBytes[^TagBytes..], secret);
            return secret;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] KeyOf(CoreOptions options)
    {
        var material = options.SecretsKey is { Length: > 0 } configured ? configured : KeyFile(options.SecretsKeyFile);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(material), 32, info: "fleet secrets at rest"u8.ToArray());
    }

    private static string KeyFile(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            try
            {
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var file = new FileStream(path, create);
                file.Write(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process of this checkout made it first: use theirs.
            }
        }

        return File.ReadAllText(path).Trim() is { Length: >= 16 } key
            ? key
            : throw new InvalidOperationException($"Core:SecretsKeyFile {path} holds fewer than 16 characters");
    }
}
