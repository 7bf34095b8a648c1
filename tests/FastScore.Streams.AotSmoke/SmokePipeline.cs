using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;

namespace FastScore.Streams.AotSmoke;

/// <summary>
/// The smoke test's pipeline: the input and output descriptors read from JSON files, an engine scoring inline records
/// decoded as <see cref="Iris"/> (source-generated JSON metadata: no reflection) into <see cref="Score"/> records written
/// to a file. One of the inline records does not match the schema and is rejected.
/// </summary>
public static class SmokePipeline
{
    /// <summary>The JSON lines the pipeline writes, in order.</summary>
    public static readonly IReadOnlyList<string> ExpectedOutput =
    [
        """{"species":"setosa","petal_area":0.28}""",
        """{"species":"versicolor","petal_area":6.58}""",
        """{"species":"virginica","petal_area":9.69}""",
        """{"species":"virginica","petal_area":15}""",
    ];

    /// <summary>Runs the pipeline: reads the descriptors in <paramref name="descriptorDirectory"/>, writes to <paramref name="outputPath"/>.</summary>
    /// <returns>What happened.</returns>
    public static async Task<SmokeResult> RunAsync(string descriptorDirectory, string outputPath, CancellationToken cancellationToken = default)
    {
        StreamDescriptor input = StreamDescriptor.ParseFile(Path.Combine(descriptorDirectory, "input.json"));
        // the descriptor names a placeholder path: its Transport is replaced before it is read
        var outputJson = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(descriptorDirectory, "output.json")))!.AsObject();
        outputJson["Transport"] = new System.Text.Json.Nodes.JsonObject { ["Type"] = "file", ["Path"] = Path.GetFullPath(outputPath) };
        StreamDescriptor output = StreamDescriptor.Parse(outputJson.ToJsonString());

        var options = new StreamFactoryOptions();
        // POCO metadata from the source generator; new options per run, so each run builds its own codecs
        var json = new JsonRecordEncoding(new JsonSerializerOptions { TypeInfoResolver = SmokeJsonContext.Default });
        options.Components.Add(EncodingProvider.Create("json", _ => json));
        var rejected = new List<string>();
        await using var engine = new ScoringEngine(new StreamFactory(options), new EngineOptions { OnModelError = ModelErrorPolicy.Stop });
        engine.LoadModel(new PetalModel(), "petal-area");
        engine.Attach(0, input);
        engine.Attach(1, output);
        EngineState state = await engine.RunAsync(cancellationToken).ConfigureAwait(false);
        EngineInspection inspection = engine.Inspect();
        rejected.AddRange(inspection.Rejections.Select(r => $"record {r.RecordNumber}: rejected by {r.Kind}: {r.Reason}"));
        string[] lines = File.Exists(outputPath) ? await File.ReadAllLinesAsync(outputPath, cancellationToken).ConfigureAwait(false) : [];
        return new SmokeResult(state, inspection.Error, lines, rejected,
            inspection.Slots.Single(s => s.Slot == 0).Records, inspection.Slots.Single(s => s.Slot == 1).Records);
    }

    /// <summary>Gets a value indicating whether the runtime can compile code at run time (false under Native AOT).</summary>
    public static bool DynamicCodeSupported => RuntimeFeature.IsDynamicCodeSupported;

    private sealed class PetalModel : IModel<Iris, Score>
    {
        public IReadOnlyList<SlotDefinition> Slots => SlotDefinition.Default;

        public ValueTask ActionAsync(Iris input, RecordContext context, IModelOutput<Score> output, CancellationToken cancellationToken)
        {
            double area = Math.Round((double)input.PetalLength * input.PetalWidth, 2);
            string species = input.PetalLength < 2.5f ? "setosa" : input.PetalWidth < 1.75f ? "versicolor" : "virginica";
            output.Emit(new Score { Species = species, PetalArea = area });
            return default;
        }
    }
}

/// <summary>What the smoke pipeline did.</summary>
/// <param name="State">The engine's final state.</param>
/// <param name="Error">Why the run failed, or null.</param>
/// <param name="Output">The lines written to the output file.</param>
/// <param name="Rejected">The rejected records, described.</param>
/// <param name="RecordsRead">Records read (and accepted) on slot 0.</param>
/// <param name="RecordsWritten">Records written on slot 1.</param>
public sealed record SmokeResult(EngineState State, string? Error, IReadOnlyList<string> Output, IReadOnlyList<string> Rejected, long RecordsRead, long RecordsWritten)
{
    /// <summary>Gets a value indicating whether the run did exactly what it should.</summary>
    public bool Succeeded => State == EngineState.Finished && Output.SequenceEqual(SmokePipeline.ExpectedOutput) && Rejected.Count == 1 && RecordsRead == 4 && RecordsWritten == 4;

    /// <summary>Describes the run for the console.</summary>
    public override string ToString() => string.Join(Environment.NewLine,
    [
        $"state: {State}{(Error is null ? "" : $" ({Error})")}",
        string.Create(CultureInfo.InvariantCulture, $"read {RecordsRead}, wrote {RecordsWritten}, rejected {Rejected.Count}"),
        .. Rejected.Select(r => "  " + r),
        "output:",
        .. Output.Select(l => "  " + l),
    ]);
}

/// <summary>An iris measurement (the model's input).</summary>
public sealed class Iris
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

/// <summary>The model's output.</summary>
public sealed class Score
{
    [JsonPropertyName("species")]
    public string Species { get; set; } = "";

    [JsonPropertyName("petal_area")]
    public double PetalArea { get; set; }
}

/// <summary>JSON metadata for the smoke's types, generated at compile time (Native AOT has no reflection-based serializer).</summary>
[JsonSerializable(typeof(Iris))]
[JsonSerializable(typeof(Score))]
internal sealed partial class SmokeJsonContext : JsonSerializerContext;
