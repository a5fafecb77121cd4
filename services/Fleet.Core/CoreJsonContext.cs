using System.Text.Json.Serialization;
using Fleet.Core.Access;
using Fleet.Core.Uploads;

namespace Fleet.Core;

/// <summary>The documents the core keeps as records.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ApiKeys.KeyRecord))]
[JsonSerializable(typeof(ChunkedUploads.Manifest))]
internal sealed partial class CoreJsonContext : JsonSerializerContext;
