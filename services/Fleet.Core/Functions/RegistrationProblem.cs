namespace Fleet.Core.Functions;

/// <summary>Why a registration was refused, in the order the rules are checked; each facade maps it to its own status.</summary>
public enum RegistrationProblem
{
    Name,
    Package,
    NameTaken,
    Runtime,
    Memory,
    Cpu,
    Convention,
    Handler,
    Timeout,

    /// <summary>A custom function without a usable container image.</summary>
    Image,
}
