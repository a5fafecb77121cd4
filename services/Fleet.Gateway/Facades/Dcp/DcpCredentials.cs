using System.Text;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>
/// Reads dcp-rest's Authorization header (spec §2). <c>Basic</c>: base64 → UTF-8 → split at the last <c>:</c>
/// (upstream's greedy <c>/(.*):(.*)/</c>: the keystore JSON may hold colons, the password may be empty) →
/// <see cref="DcpKeystores.Verify"/>. <c>Bearer &lt;apiKey&gt;.&lt;password&gt;</c> → <see cref="DcpApiKeys"/>.
/// Scheme names match case-insensitively (RFC 9110); a missing header or another scheme is
/// <see cref="DcpAuthFailure.NotProvided"/>, anything wrong after a known scheme <see cref="DcpAuthFailure.Invalid"/>.
/// </summary>
internal sealed class DcpCredentials(DcpKeystores keystores, DcpApiKeys apiKeys)
{
    /// <summary>Longer header values are refused unread: base64 of the largest keystore and a long password.</summary>
    public const int MaxHeaderChars = 4 * DcpKeystoreDocument.MaxJsonChars / 3 + 4096;

    public async Task<DcpAuthResult> AuthenticateAsync(string? authorization, CancellationToken cancellationToken)
    {
        var value = authorization.AsSpan().Trim();
        var space = value.IndexOf(' ');
        var scheme = space < 0 ? value : value[..space];
        var basic = scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);
        if (!basic && !scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return DcpAuthResult.NotProvided;
        }

        if (space < 0 || value.Length > MaxHeaderChars)
        {
            return DcpAuthResult.Invalid;
        }

        var credentials = value[(space + 1)..].Trim().ToString();
        var identity = basic ? Basic(credentials) : await apiKeys.FindAsync(credentials, cancellationToken);
        return identity is null ? DcpAuthResult.Invalid : DcpAuthResult.Authenticated(identity);
    }

    private string? Basic(string credentials)
    {
        var bytes = new byte[credentials.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(credentials, bytes, out var length) || !System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(0, length)))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, length);
        var colon = text.LastIndexOf(':');
        return colon < 0 ? null : keystores.Verify(text[..colon], text[(colon + 1)..]);
    }
}
