using Fleet.Core;
using Fleet.Gateway.Facades.Dcp;
using Fleet.Gateway.Facades.Faasm;
using Fleet.Gateway.Facades.Fastmap;
using Fleet.Gateway.Facades.Serverledge;
using Fleet.Gateway.Hosting;
using Fleet.ServiceDefaults;

namespace Fleet.Gateway;

/// <summary>The gateway: the core, and every facade with its listeners.</summary>
internal static class GatewayModule
{
    /// <returns>The core's bus module (its event queue).</returns>
    public static IBusModule Register(WebApplicationBuilder builder)
    {
        var core = CoreModule.Register(builder.Services);
        var facades = new Dictionary<string, FacadeOptions>
        {
            [ServerledgeFacade.Name] = ServerledgeFacade.Register(builder),
            [FaasmFacade.Name] = FaasmFacade.Register(builder),
            [FastmapFacade.Name] = FastmapFacade.Register(builder),
            [DcpFacade.Name] = DcpFacade.Register(builder),
        };
        builder.Services.AddSingleton(FacadeListeners.Configure(builder, facades));
        return core;
    }
}
