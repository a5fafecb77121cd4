namespace Fleet.Storage.Tests.Contracts;

public sealed class SqliteJobStoreTests(SqliteStoreFixture fixture) : JobStoreContract(fixture), IClassFixture<SqliteStoreFixture>;
