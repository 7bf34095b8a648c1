using System.Text.Json.Serialization;

namespace FastScore.Streams.Benchmarks;

/// <summary>An iris input record as a host would declare it.</summary>
public sealed class IrisRecord
{
    [JsonPropertyName("sepal_length")]
    public float SepalLength { get; set; }

    [JsonPropertyName("sepal_width")]
    public float SepalWidth { get; set; }

    [JsonPropertyName("petal_length")]
    public float PetalLength { get; set; }

    [JsonPropertyName("petal_width")]
    public float PetalWidth { get; set; }
}
