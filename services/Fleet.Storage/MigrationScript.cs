namespace Fleet.Storage;

/// <summary>One embedded <c>Migrations/{Provider}/NNNN_name.sql</c> file.</summary>
internal sealed record MigrationScript(int Version, string Name, string Sql);
