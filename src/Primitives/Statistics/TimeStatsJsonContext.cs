using System.Text.Json.Serialization;

namespace Primitives.Statistics;

/// <summary>Source-generated System.Text.Json metadata for <see cref="TimeStatsSnapshot"/>: no reflection, trimming and AOT safe.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TimeStatsSnapshot))]
internal sealed partial class TimeStatsJsonContext : JsonSerializerContext
{
}
