using Fleet.Gateway;
using Fleet.Scheduler;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Worker;

namespace Fleet.Standalone;

/// <summary>Gateway, scheduler and one worker in one process: in-memory bus, SQLite under .fleet/, http://127.0.0.1:8080.</summary>
public sealed class Program
{
    private Program()
    {
    }

    public static async Task Main(string[] args)
    {
        var builder = FleetHost.CreateBuilder(args);
        builder.Configuration.AddHostDefaults(new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:8080",
            ["Facades:Serverledge:Urls"] = "http://127.0.0.1:1323",
            ["Facades:Faasm:Urls"] = "http://127.0.0.1:8002",
            ["Facades:Dcp:Urls"] = "http://127.0.0.1:1234",
            ["Bus:Transport"] = "inmemory",
            ["Store:Provider"] = "sqlite",
            ["Store:ConnectionString"] = "Data Source=.fleet/data/fleet.db",
            ["Worker:WorkerId"] = "standalone",
            ["Worker:DataDirectory"] = ".fleet/work",

            // The in-memory bus loses what it holds with the process: accepted async calls are kept in the store too.
            ["Core:RecordQueuedCalls"] = "true",
        });
        builder.AddServiceDefaults("fleet-standalone");
        builder.Services.AddFleetStore(builder.Configuration);
        builder.AddFleetBus(GatewayModule.Register(builder), SchedulerModule.Register(builder), WorkerModule.Register(builder));

        var app = builder.Build();
        await app.Services.GetRequiredService<IFleetStore>().MigrateAsync(app.Lifetime.ApplicationStopping);
        app.MapHealthEndpoints();
        app.MapGateway();
        await app.RunAsync();
    }
}
