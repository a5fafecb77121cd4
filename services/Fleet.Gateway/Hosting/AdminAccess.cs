using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Gateway.Hosting;

/// <summary>
/// Who may use a facade's administrative routes (issuing secrets and identities): with an admin token configured, a
/// request bearing it; without one, requests from loopback only (the standalone and local setups).
/// </summary>
internal static class AdminAccess
{
    public static bool IsAllowed(HttpContext http, string adminToken) =>
        adminToken.Length == 0
            ? http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
            : http.Request.Headers.Authorization.ToString() is var given && given.StartsWith("Bearer ", StringComparison.Ordinal)
              && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given[7..]), Encoding.UTF8.GetBytes(adminToken));
}
