using System.Globalization;

namespace Fleet.Core.Functions;

/// <summary>
/// Whether instances of a function's size can run anywhere: MemoryMB is reserved whole on one worker, and CPUDemand
/// (cores per instance; 0 or -1 mean no cap) must fit within one worker's cores. Checked against the workers that
/// announced themselves lately; with none heard from yet, only the fixed rules apply.
/// </summary>
internal static class InstanceSize
{
    public const double NoCpuCap = -1;

    /// <summary>Why MemoryMB cannot be given, or null.</summary>
    public static string? MemoryProblem(int memoryMB, IReadOnlyList<(int MemoryBudgetMB, double Cpus)> workers)
    {
        if (memoryMB < 1)
        {
            return "MemoryMB must be at least 1";
        }

        var largest = workers.Count > 0 ? workers.Max(w => w.MemoryBudgetMB) : int.MaxValue;
        return memoryMB > largest ? $"{memoryMB} MB is more than any worker has ({largest} MB)" : null;
    }

    /// <summary>Why CPUDemand cannot be given, or null; only workers with room for the memory count.</summary>
    public static string? CpuProblem(double cpuDemand, int memoryMB, IReadOnlyList<(int MemoryBudgetMB, double Cpus)> workers)
    {
        if (cpuDemand is 0 or NoCpuCap)
        {
            return null;
        }

        if (cpuDemand < 0 || !double.IsFinite(cpuDemand))
        {
            return "CPUDemand must be a number of cores, or 0 or -1 for no cap";
        }

        var fitting = workers.Where(w => w.MemoryBudgetMB >= memoryMB).ToList();
        var most = fitting.Count > 0 ? fitting.Max(w => w.Cpus) : double.PositiveInfinity;
        return cpuDemand > most
            ? string.Create(CultureInfo.InvariantCulture, $"{cpuDemand} cores are more than any worker has ({most})")
            : null;
    }
}
