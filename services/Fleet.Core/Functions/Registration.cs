using Fleet.Contracts;

namespace Fleet.Core.Functions;

/// <summary>How a registration ended: the function created, or the first rule it broke and why.</summary>
public sealed record Registration(FunctionSpec? Created, RegistrationProblem? Problem, string Reason)
{
    public static Registration Refused(RegistrationProblem problem, string reason = "") => new(null, problem, reason);
}
