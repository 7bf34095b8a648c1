using System.Text.Json.Serialization;

namespace FastScore.Samples.Iris;

/// <summary>
/// The class probabilities for one iris flower, as the FastScore guide's output records carry them
/// (<c>{"A": 0.0033, "B": 0.0043, "C": 0.9924}</c>). Matches the Avro schema <see cref="IrisModel.OutputSchema"/>.
/// </summary>
/// <remarks>A is <em>Iris setosa</em>, B <em>Iris versicolor</em>, C <em>Iris virginica</em>; the three sum to 1.</remarks>
public sealed record IrisOutput
{
    /// <summary>Gets the probability that the flower is <em>Iris setosa</em>.</summary>
    [JsonPropertyName("A")]
    public float A { get; init; }

    /// <summary>Gets the probability that the flower is <em>Iris versicolor</em>.</summary>
    [JsonPropertyName("B")]
    public float B { get; init; }

    /// <summary>Gets the probability that the flower is <em>Iris virginica</em>.</summary>
    [JsonPropertyName("C")]
    public float C { get; init; }

    /// <summary>Gets the most probable class: <c>"A"</c>, <c>"B"</c> or <c>"C"</c>.</summary>
    [JsonIgnore]
    public string PredictedClass => A >= B && A >= C ? "A" : B >= C ? "B" : "C";

    /// <summary>Gets the species of the most probable class: setosa, versicolor or virginica.</summary>
    [JsonIgnore]
    public string PredictedSpecies => IrisSpecies.FromClass(PredictedClass);
}
