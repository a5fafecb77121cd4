using System.Text.Json;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// The parts of an Ethereum v3 keystore (Web3 Secret Storage) that verification reads, parsed from untrusted JSON.
/// Member names match case-insensitively (ethers writes <c>Crypto</c>, geth <c>crypto</c>); hex values may carry
/// <c>0x</c>. Anything else (another version, cipher or kdf, a ciphertext that is not a 32-byte private key, a missing or mistyped field, parameters out of
/// <see cref="DcpKeystoreKdf"/>'s bounds) is no keystore: <see cref="Parse"/> answers null and never throws.
/// </summary>
internal sealed record DcpKeystoreDocument(string Address, DcpKeystoreKdf Kdf, byte[] Iv, byte[] CipherText, byte[] Mac)
{
    /// <summary>Longer JSON is refused before it is parsed; real keystores are under 1 KiB.</summary>
    public const int MaxJsonChars = 16 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 8 };

    public static DcpKeystoreDocument? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json) || json.Length > MaxJsonChars)
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    private static DcpKeystoreDocument? Read(JsonElement root)
    {
        if (Int(root, "version") != 3
            || DcpAddresses.Normalize(String(root, "address")) is not { } address
            || Member(root, "crypto") is not { ValueKind: JsonValueKind.Object } crypto
            || String(crypto, "cipher") != "aes-128-ctr"
            || Member(crypto, "cipherparams") is not { ValueKind: JsonValueKind.Object } cipherParams
            || Hex(cipherParams, "iv") is not { Length: 16 } iv
            || Hex(crypto, "ciphertext") is not { Length: 32 } cipherText
            || Hex(crypto, "mac") is not { Length: 32 } mac
            || Member(crypto, "kdfparams") is not { ValueKind: JsonValueKind.Object } kdfParams
            || ReadKdf(String(crypto, "kdf"), kdfParams) is not { } kdf)
        {
            return null;
        }

        return new DcpKeystoreDocument(address, kdf, iv, cipherText, mac);
    }

    private static DcpKeystoreKdf? ReadKdf(string? name, JsonElement p)
    {
        if (Int(p, "dklen") is not { } dkLen || Hex(p, "salt") is not { } salt)
        {
            return null;
        }

        return name switch
        {
            "scrypt" when Int(p, "n") is { } n && Int(p, "r") is { } r && Int(p, "p") is { } parallel =>
                DcpKeystoreKdf.Scrypt(n, r, parallel, dkLen, salt),
            "pbkdf2" when String(p, "prf") == "hmac-sha256" && Int(p, "c") is { } c => DcpKeystoreKdf.Pbkdf2(c, dkLen, salt),
            _ => null,
        };
    }

    private static JsonElement? Member(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? String(JsonElement element, string name) =>
        Member(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        Member(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number) ? number : null;

    private static byte[]? Hex(JsonElement element, string name)
    {
        var text = String(element, name).AsSpan();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        return text.Length > 0 && text.Length % 2 == 0 && DcpKeys.IsHex(text) ? Convert.FromHexString(text) : null;
    }
}
