using System.Net.Http.Headers;
using System.Text;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;

namespace Fleet.Testing;

/// <summary>
/// Ready when the management API at <paramref name="management"/> answers <c>GET /api/overview</c> for the test user:
/// the plugin is up and the user exists (asked at the tests' own address, like <see cref="AmqpHandshake"/>).
/// </summary>
internal sealed class ManagementOverview(Uri management, string user, string password) : IWaitUntil
{
    public async Task<bool> UntilAsync(IContainer container)
    {
        using var client = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        try
        {
            using var response = await client.GetAsync(new Uri("api/overview", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
