using System.Text.Json.Serialization;

namespace Fleet.Gateway.Facades.Serverledge;

/// <summary>PascalCase keys as upstream's Go structs; reading ignores case like Go's decoder.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CreateFunctionRequest))]
[JsonSerializable(typeof(DeleteFunctionRequest))]
[JsonSerializable(typeof(InvokeRequest))]
[JsonSerializable(typeof(PrewarmRequest))]
[JsonSerializable(typeof(InvocationResponse))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(string))]
internal sealed partial class ServerledgeJsonContext : JsonSerializerContext;
