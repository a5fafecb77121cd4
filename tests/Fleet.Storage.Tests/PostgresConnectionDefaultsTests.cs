using Npgsql;

namespace Fleet.Storage.Tests;

public sealed class PostgresConnectionDefaultsTests
{
    [Fact]
    public void Connections_skip_the_reset_and_prepare_their_statements_by_default()
    {
        var defaults = new NpgsqlConnectionStringBuilder(PostgresFleetStore.WithFleetDefaults("Host=db;Username=fleet"));

        Assert.True(defaults.NoResetOnClose);
        Assert.True(defaults.MaxAutoPrepare > 0);
        Assert.Equal("db", defaults.Host);
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0")]
    [InlineData("Host=db;noresetonclose=false;MAXAUTOPREPARE=0")]
    public void Settings_written_in_the_connection_string_win(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgresFleetStore.WithFleetDefaults(connectionString));

        Assert.False(settings.NoResetOnClose);
        Assert.Equal(0, settings.MaxAutoPrepare);
    }
}
