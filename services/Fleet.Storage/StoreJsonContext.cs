using System.Text.Json.Serialization;
using Fleet.Contracts;

namespace Fleet.Storage;

/// <summary>
/// How both stores write their documents: camelCase, enums as their names, and NaN/Infinity as JSON strings
/// (a worker's odd timing figure must never fail a completion). Source-generated, no reflection.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(FunctionSpec))]
[JsonSerializable(typeof(InvocationResult))]
[JsonSerializable(typeof(InvokeFunction))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
