using Fleet.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>Serverledge's API at the root paths, as one route group with its own listener, auth, body limit and errors.</summary>
internal static class ServerledgeFacade
{
    public const string Name = "Serverledge";

    public static ServerledgeOptions Register(WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ServerledgeOptions.SectionName);
        builder.Services.AddOptions<ServerledgeOptions>().Bind(section)
            .Validate(o => o.MaxBodyBytes > 0 && o.MaxInvokeBodyBytes > 0, "Facades:Serverledge body limits must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<ServerledgeRequestIds>();
        builder.Services.AddSingleton<ServerledgeAccess>();
        return section.Get<ServerledgeOptions>() ?? new ServerledgeOptions();
    }

    public static void MapServerledge(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ServerledgeOptions>>().Value;
        if (!options.Enabled)
        {
            return;
        }

        var routes = app.MapGroup("")
            .AddEndpointFilter(app.Services.GetRequiredService<FacadeListeners>().Gate(Name, options))
            .AddEndpointFilter(app.Services.GetRequiredService<ServerledgeAccess>())
            .AddEndpointFilter(ServerledgeWire.MapCoreUnavailable);
        routes.MapServerledgeFunctions();
        routes.MapServerledgeInvocations();
    }
}
