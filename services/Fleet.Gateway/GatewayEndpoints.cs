using Fleet.Gateway.Security;
using Fleet.Gateway.Serverledge;

namespace Fleet.Gateway;

public static class GatewayEndpoints
{
    /// <summary>The HTTP edge: access token check, then every facade's routes.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseMiddleware<AccessTokenMiddleware>();
        app.MapServerledgeFunctions();
        app.MapServerledgeInvocations();
        return app;
    }
}
