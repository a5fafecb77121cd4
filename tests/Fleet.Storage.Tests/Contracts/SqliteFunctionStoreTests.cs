namespace Fleet.Storage.Tests.Contracts;

public sealed class SqliteFunctionStoreTests(SqliteStoreFixture fixture) : FunctionStoreContract(fixture), IClassFixture<SqliteStoreFixture>;
