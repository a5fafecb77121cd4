using Fleet.ServiceDefaults;
using Fleet.Storage;

namespace Fleet.Scheduler;

internal static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = FleetHost.CreateBuilder(args);
        builder.Configuration.AddHostDefaults(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:8090",
            ["Store:Provider"] = "postgres",
        });
        builder.AddServiceDefaults("fleet-scheduler");
        builder.Services.AddFleetStore(builder.Configuration);
        builder.AddFleetBus(SchedulerModule.Register(builder));

        var app = builder.Build();
        await app.Services.GetRequiredService<IFleetStore>().MigrateAsync(app.Lifetime.ApplicationStopping);
        app.MapHealthEndpoints();
        await app.RunAsync();
    }
}
