using System.Text.Json.Serialization;

namespace Fleet.Gateway.Facades.Dcp;

/// <summary>The documents the DCP facade keeps as records.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DcpApiKeys.KeyRecord))]
internal sealed partial class DcpJsonContext : JsonSerializerContext;
