using Fleet.ServiceDefaults;
using Fleet.Storage;

namespace Fleet.Gateway;

internal static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = FleetHost.CreateBuilder(args);
        builder.Configuration.AddHostDefaults(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:8080",
            ["Facades:Serverledge:Urls"] = "http://127.0.0.1:1323",
            ["Facades:Faasm:Urls"] = "http://127.0.0.1:8002",
            ["Facades:Dcp:Urls"] = "http://127.0.0.1:1234",
            ["Store:Provider"] = "postgres",
        });
        builder.AddServiceDefaults("fleet-gateway");
        builder.Services.AddFleetStore(builder.Configuration);
        builder.AddFleetBus(GatewayModule.Register(builder));

        var app = builder.Build();
        await app.Services.GetRequiredService<IFleetStore>().MigrateAsync(app.Lifetime.ApplicationStopping);
        app.MapHealthEndpoints();
        app.MapGateway();
        await app.RunAsync();
    }
}
