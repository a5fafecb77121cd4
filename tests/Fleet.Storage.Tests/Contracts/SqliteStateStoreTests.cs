namespace Fleet.Storage.Tests.Contracts;

public sealed class SqliteStateStoreTests(SqliteStoreFixture fixture) : StateStoreContract(fixture), IClassFixture<SqliteStoreFixture>;
