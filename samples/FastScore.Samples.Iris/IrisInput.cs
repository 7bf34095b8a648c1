using System.Text.Json.Serialization;

namespace FastScore.Samples.Iris;

/// <summary>
/// One iris flower, as the FastScore guide's input records carry it
/// (<c>{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}</c>, all in cm).
/// Matches the Avro schema <see cref="IrisModel.InputSchema"/>.
/// </summary>
public sealed record IrisInput
{
    /// <summary>Gets the sepal length in cm.</summary>
    [JsonPropertyName("sepal_length")]
    public float SepalLength { get; init; }

    /// <summary>Gets the sepal width in cm.</summary>
    [JsonPropertyName("sepal_width")]
    public float SepalWidth { get; init; }

    /// <summary>Gets the petal length in cm.</summary>
    [JsonPropertyName("petal_length")]
    public float PetalLength { get; init; }

    /// <summary>Gets the petal width in cm.</summary>
    [JsonPropertyName("petal_width")]
    public float PetalWidth { get; init; }
}
