using Fleet.Gateway.Hosting;

namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>Serverledge's API at the root paths, as one route group with its own listener, auth, body limit and errors.</summary>
internal static class ServerledgeFacade
{
    public const string Name = "Serverledge";

    public static ServerledgeOptions Register(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ServerledgeRequestIds>();
        builder.Services.AddSingleton<ServerledgeAccess>();
        return builder.AddFacadeOptions<ServerledgeOptions>(
            ServerledgeOptions.SectionName, o => o.MaxBodyBytes > 0 && o.MaxInvokeBodyBytes > 0, "Facades:Serverledge body limits must be positive");
    }

    public static void MapServerledge(this WebApplication app)
    {
        if (app.MapFacade<ServerledgeOptions>(Name) is not { } routes)
        {
            return;
        }

        routes.AddEndpointFilter(app.Services.GetRequiredService<ServerledgeAccess>()).AddEndpointFilter(ServerledgeWire.MapCoreUnavailable);
        routes.MapServerledgeFunctions();
        routes.MapServerledgeInvocations();
    }
}
