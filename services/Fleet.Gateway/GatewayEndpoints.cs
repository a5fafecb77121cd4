using Fleet.Gateway.Security;
using Fleet.Gateway.Serverledge;

namespace Fleet.Gateway;

public static class GatewayEndpoints
{
    /// <summary>The HTTP edge: access token check, then every facade's routes in a group of its own.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseMiddleware<AccessTokenMiddleware>();
        var serverledge = app.MapGroup("").AddEndpointFilter(ServerledgeWire.MapCoreUnavailable);
        serverledge.MapServerledgeFunctions();
        serverledge.MapServerledgeInvocations();
        return app;
    }
}
