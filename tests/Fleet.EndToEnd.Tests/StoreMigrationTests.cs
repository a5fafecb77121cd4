using System.Net;
using System.Net.Http.Json;
using Fleet.EndToEnd.Tests.Infrastructure;
using Npgsql;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// A store written by an earlier Fleet (schema version 2, Fixtures/store-v2.sql) is migrated by the services at their
/// start, and what it held still works: its function runs, its stored outcome is still pollable.
/// </summary>
[Collection(nameof(MigrationCollection))]
public sealed class StoreMigrationTests(MigratedCluster fleet)
{
    private readonly ServerledgeApi _api = new(fleet.Gateway);

    [Fact]
    public async Task Functions_and_outcomes_of_a_version_2_store_work_after_the_migration()
    {
        Assert.Contains("isprime-v2", await fleet.Gateway.GetFromJsonAsync<string[]>("/function") ?? []);
        Assert.True(ServerledgeApi.ResultOf(await _api.InvokeOkAsync("isprime-v2", new { Params = new { n = "13" } })).GetProperty("IsPrime").GetBoolean());
        var polled = await _api.PollUntilDoneAsync(await _api.InvokeAsyncCallAsync("isprime-v2", new() { ["n"] = "21" }), TimeSpan.FromSeconds(60));
        Assert.False(ServerledgeApi.ResultOf(polled).GetProperty("IsPrime").GetBoolean());

        using var old = await fleet.Gateway.GetAsync("/poll/isprime-v2-1764626400000000001");
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal("{\"IsPrime\": true}", (await old.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("Result").GetString());
    }
}

public sealed class MigratedCluster : FleetCluster
{
    protected override int WorkerCount => 1;

    protected override async Task SeedAsync(string connectionString)
    {
        var dump = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "Fleet.EndToEnd.Tests", "Fixtures", "store-v2.sql"));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var load = new NpgsqlCommand(dump, connection);
        await load.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(nameof(MigrationCollection))]
public sealed class MigrationCollection : ICollectionFixture<MigratedCluster>;
