using Fleet.Storage.Blobs;
using Fleet.Storage.Calls;
using Fleet.Storage.Functions;
using Fleet.Storage.Jobs;
using Fleet.Storage.Records;
using Fleet.Storage.State;

namespace Fleet.Storage;

/// <summary>
/// The one store every service uses, one part per aggregate: functions, content-addressed blobs (code packages among
/// them), async call records, functions' state, the records facades keep for themselves (never reachable by
/// functions) and jobs of many slices. PostgreSQL for the distributed fleet, SQLite for the standalone process; each
/// part has one contract test suite that runs against both.
/// </summary>
public interface IFleetStore
{
    IFunctionStore Functions { get; }

    IBlobStore Blobs { get; }

    ICallStore Calls { get; }

    IStateStore State { get; }

    IRecordStore Records { get; }

    IJobStore Jobs { get; }

    /// <summary>Applies pending migrations; safe to call from several processes at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>True when the store answers a trivial query.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
