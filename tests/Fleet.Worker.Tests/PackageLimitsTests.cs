using Fleet.Contracts;
using Fleet.Storage;
using Fleet.Storage.Packages;
using Microsoft.Extensions.Options;
using RuntimeNames = Fleet.Contracts.Runtimes;

namespace Fleet.Worker.Tests;

/// <summary>The package caps come from the "Packages" section, are checked at start-up, and are what the worker unpacks with.</summary>
public sealed class PackageLimitsTests
{
    [Fact]
    public void The_caps_are_read_from_the_Packages_section()
    {
        using var host = Build(new() { ["Packages:MaxEntries"] = "7", ["Packages:MaxUnpackedBytes"] = "4096" });

        var limits = host.Services.GetRequiredService<IOptions<PackageLimits>>().Value;

        Assert.Equal(7, limits.MaxEntries);
        Assert.Equal(4096, limits.MaxUnpackedBytes);
    }

    [Fact]
    public void Without_configuration_the_defaults_apply()
    {
        using var host = Build(new());

        var limits = host.Services.GetRequiredService<IOptions<PackageLimits>>().Value;

        Assert.Equal(10_000, limits.MaxEntries);
        Assert.Equal(256L << 20, limits.MaxUnpackedBytes);
        Assert.Equal(PackageLimits.Default.MaxEntries, limits.MaxEntries);
        Assert.Equal(PackageLimits.Default.MaxUnpackedBytes, limits.MaxUnpackedBytes);
    }

    [Theory]
    [InlineData("Packages:MaxEntries", "0")]
    [InlineData("Packages:MaxUnpackedBytes", "-1")]
    [InlineData("Packages:MaxUnpackedBytes", "2199023255553")]
    public async Task A_cap_out_of_range_fails_at_start(string key, string value)
    {
        using var host = Build(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_and_bytes_are_counted_against_the_limits_given()
    {
        var limits = new PackageLimits { MaxEntries = 3, MaxUnpackedBytes = 10 };

        PackageArchive.Validate(new TarBuilder().Directory("d").File("d/a", "12345").File("b", "12345").ToArray(), limits);
        var entries = Assert.Throws<InvalidPackageException>(() =>
            PackageArchive.Validate(new TarBuilder().File("a").File("b").File("c").File("d").ToArray(), limits));
        var bytes = Assert.Throws<InvalidPackageException>(() => PackageArchive.Validate(new TarBuilder().File("a", "12345678901").ToArray(), limits));
        var linked = Assert.Throws<InvalidPackageException>(() =>
            PackageArchive.Validate(new TarBuilder().File("a", "123456").HardLink("b", "a").ToArray(), limits));

        Assert.Equal("package has more than 3 entries", entries.Message);
        Assert.Equal("package too large when unpacked", bytes.Message);
        Assert.Equal("package too large when unpacked", linked.Message);
    }

    [Fact]
    public async Task The_worker_unpacks_with_the_limits_it_was_given()
    {
        await using var pool = new TestPool(packageLimits: new PackageLimits { MaxEntries = 2 });
        var function = pool.DeployBytes(
            RuntimeNames.Python, "fn.work", new TarBuilder().File("fn.py", "def work(params, context):\n    return 1\n").File("a").File("b").ToArray());

        var execution = await pool.InvokeAsync(function);

        Assert.Equal(InvocationStatus.Failed, execution.Status);
        Assert.Equal("package has more than 2 entries", execution.Error);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(pool.Pool.RunDirectory, "packages")));
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddFleetStore(builder.Configuration);
        return builder.Build();
    }
}
