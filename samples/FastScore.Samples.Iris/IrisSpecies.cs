namespace FastScore.Samples.Iris;

/// <summary>The three iris species and the output fields (classes) they map to.</summary>
public static class IrisSpecies
{
    /// <summary>The species of class A.</summary>
    public const string Setosa = "setosa";

    /// <summary>The species of class B.</summary>
    public const string Versicolor = "versicolor";

    /// <summary>The species of class C.</summary>
    public const string Virginica = "virginica";

    /// <summary>Gets the species in class order: A, B, C.</summary>
    public static IReadOnlyList<string> InClassOrder { get; } = [Setosa, Versicolor, Virginica];

    /// <summary>Gets the output class (<c>"A"</c>, <c>"B"</c> or <c>"C"</c>) of a species as named in iris.csv.</summary>
    /// <param name="species">setosa, versicolor or virginica.</param>
    /// <returns>The class letter.</returns>
    /// <exception cref="ArgumentException">The species is not one of the three.</exception>
    public static string ToClass(string species) => species switch
    {
        Setosa => "A",
        Versicolor => "B",
        Virginica => "C",
        _ => throw new ArgumentException($"'{species}' is not an iris species; known: setosa, versicolor, virginica.", nameof(species)),
    };

    /// <summary>Gets the species of an output class.</summary>
    /// <param name="outputClass"><c>"A"</c>, <c>"B"</c> or <c>"C"</c>.</param>
    /// <returns>The species name.</returns>
    /// <exception cref="ArgumentException">The class is not A, B or C.</exception>
    public static string FromClass(string outputClass) => outputClass switch
    {
        "A" => Setosa,
        "B" => Versicolor,
        "C" => Virginica,
        _ => throw new ArgumentException($"'{outputClass}' is not an iris output class; known: A, B, C.", nameof(outputClass)),
    };
}
