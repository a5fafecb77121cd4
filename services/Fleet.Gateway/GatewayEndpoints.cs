using Fleet.Gateway.Facades.Dcp;
using Fleet.Gateway.Facades.Faasm;
using Fleet.Gateway.Facades.Fastmap;
using Fleet.Gateway.Facades.Serverledge;

namespace Fleet.Gateway;

public static class GatewayEndpoints
{
    /// <summary>Every enabled facade's routes, each in a group of its own.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        app.MapServerledge();
        app.MapFaasm();
        app.MapFastmap();
        app.MapDcp();
        return app;
    }
}
