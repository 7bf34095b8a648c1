using System.Globalization;
using System.Text.Json;

namespace FastScore.Samples.Iris.Tests;

/// <summary>The guide's records and the training set, read from the sample's embedded files.</summary>
internal static class GuideData
{
    public static IrisInput SingleInput =>
        JsonSerializer.Deserialize<IrisInput>(IrisSampleData.ReadAllText(IrisSampleData.GuideSingleInput))!;

    public static IReadOnlyList<IrisInput> Inputs =>
        IrisSampleData.ReadLines(IrisSampleData.GuideInputs).Select(line => JsonSerializer.Deserialize<IrisInput>(line)!).ToList();

    public static IReadOnlyList<(IrisInput Flower, string Species)> TrainingSet =>
        IrisSampleData.ReadLines(IrisSampleData.TrainingCsv).Skip(1).Select(line =>
        {
            var f = line.Split(',');
            var flower = new IrisInput
            {
                SepalLength = float.Parse(f[0], CultureInfo.InvariantCulture),
                SepalWidth = float.Parse(f[1], CultureInfo.InvariantCulture),
                PetalLength = float.Parse(f[2], CultureInfo.InvariantCulture),
                PetalWidth = float.Parse(f[3], CultureInfo.InvariantCulture),
            };
            return (flower, f[4]);
        }).ToList();

    /// <summary>The majority species among the <paramref name="k"/> training flowers nearest to <paramref name="flower"/>.</summary>
    public static string NearestNeighbourSpecies(IrisInput flower, int k = 5) =>
        TrainingSet
            .OrderBy(row => SquaredDistance(row.Flower, flower))
            .Take(k)
            .GroupBy(row => row.Species)
            .OrderByDescending(g => g.Count())
            .First().Key;

    private static double SquaredDistance(IrisInput a, IrisInput b)
    {
        double d1 = a.SepalLength - b.SepalLength, d2 = a.SepalWidth - b.SepalWidth;
        double d3 = a.PetalLength - b.PetalLength, d4 = a.PetalWidth - b.PetalWidth;
        return (d1 * d1) + (d2 * d2) + (d3 * d3) + (d4 * d4);
    }
}
