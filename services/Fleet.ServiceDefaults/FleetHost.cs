using Microsoft.AspNetCore.Builder;

namespace Fleet.ServiceDefaults;

public static class FleetHost
{
    /// <summary>
    /// A web application builder rooted at the binary's folder, not the working directory, and without watching
    /// settings files for changes: a file watcher over a working directory that holds .fleet/ (databases, logs,
    /// instance folders) burns a core on its events.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args) => WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = AppContext.BaseDirectory,
    });
}
