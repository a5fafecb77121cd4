namespace Fleet.Storage.Tests.Contracts;

public sealed class PostgresRecordStoreTests(PostgresStoreFixture fixture) : RecordStoreContract(fixture), IClassFixture<PostgresStoreFixture>;
