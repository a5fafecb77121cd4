namespace Fleet.Storage.Tests.Contracts;

public sealed class SqliteRecordStoreTests(SqliteStoreFixture fixture) : RecordStoreContract(fixture), IClassFixture<SqliteStoreFixture>;
