using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Fleet.Gateway.Security;

/// <summary>
/// When an access token is configured, every route except the health probes needs <c>Authorization: Bearer &lt;token&gt;</c>.
/// Compared in constant time.
/// </summary>
internal sealed class AccessTokenMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(options.Value.AccessToken);

    public Task InvokeAsync(HttpContext context)
    {
        if (_token.Length == 0 || context.Request.Path.StartsWithSegments("/health") || Authorized(context.Request))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()), _token);
    }
}
