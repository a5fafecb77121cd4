namespace Fleet.Storage.Tests.Contracts;

public sealed class SqliteCallStoreTests(SqliteStoreFixture fixture, ITestOutputHelper output) : CallStoreContract(fixture, output), IClassFixture<SqliteStoreFixture>;
