using Fleet.Storage.Postgres;
using Npgsql;

namespace Fleet.Storage.Tests;

public sealed class PostgresConnectionDefaultsTests
{
    [Fact]
    public void Connections_skip_the_reset_prepare_their_statements_and_carry_the_service_name_by_default()
    {
        var defaults = new NpgsqlConnectionStringBuilder(PostgresFleetStore.WithFleetDefaults("Host=db;Username=fleet", "Fleet.Worker"));

        Assert.True(defaults.NoResetOnClose);
        Assert.True(defaults.MaxAutoPrepare > 0);
        Assert.Equal("Fleet.Worker", defaults.ApplicationName);
        Assert.Equal("db", defaults.Host);
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0;Application Name=mine")]
    [InlineData("Host=db;noresetonclose=false;MAXAUTOPREPARE=0;applicationname=mine")]
    public void Settings_written_in_the_connection_string_win(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgresFleetStore.WithFleetDefaults(connectionString, "Fleet.Worker"));

        Assert.False(settings.NoResetOnClose);
        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.Equal("mine", settings.ApplicationName);
    }
}
