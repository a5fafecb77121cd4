namespace Fleet.Worker.Runtimes;

/// <summary>Instances are only reused for the same function name and generation.</summary>
internal readonly record struct InstanceKey(string Function, string Generation);
