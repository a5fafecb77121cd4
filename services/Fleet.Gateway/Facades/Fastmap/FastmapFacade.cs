using Fleet.Gateway.Hosting;

namespace Fleet.Gateway.Facades.Fastmap;

/// <summary>
/// Fastmap's cloud API (client 0.0.6, fastmap-io/fastmap): <c>/api/v1/*</c> on the main listeners, its own auth
/// (a tenant's bearer token and an HMAC over every body), msgpack replies with <c>X-Status</c>, a 32 MiB body limit.
/// </summary>
internal static class FastmapFacade
{
    public const string Name = "Fastmap";

    public static FastmapOptions Register(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FastmapRuns>();
        builder.Services.AddHostedService<FastmapSweeper>();
        return builder.AddFacadeOptions<FastmapOptions>(
            FastmapOptions.SectionName,
            o => o.MaxBodyBytes > 0 && o.MaxPayloadBytes > 0 && o.UploadTimeToLiveSeconds > 0 && o.RunIdleSeconds > 0 && o.FunctionMemoryMB > 0
                 && o.BatchTimeoutSeconds > 0 && o.PreparedInstances >= 0,
            "Facades:Fastmap limits must be positive");
    }

    public static void MapFastmap(this WebApplication app)
    {
        if (app.MapFacade<FastmapOptions>(Name) is not { } routes)
        {
            return;
        }

        routes.AddEndpointFilter(FastmapWire.Unavailable);
        routes.MapFastmapRoutes();
    }
}
