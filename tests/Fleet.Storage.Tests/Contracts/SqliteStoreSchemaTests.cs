namespace Fleet.Storage.Tests.Contracts;

public sealed class SqliteStoreSchemaTests(SqliteStoreFixture fixture) : StoreSchemaContract(fixture), IClassFixture<SqliteStoreFixture>;
