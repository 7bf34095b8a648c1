using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace FastScore.Samples.Iris;

/// <summary>
/// The trained ML.NET model, shared by every <see cref="IrisModel"/>: trained once per process from the embedded iris.csv.
/// </summary>
/// <remarks>
/// An <see cref="ITransformer"/> is safe to share; a <see cref="PredictionEngine{TSrc, TDst}"/> is not, so each user
/// creates its own with <see cref="CreateEngine"/>.
/// </remarks>
internal sealed class IrisClassifier
{
    /// <summary>The seed of the ML.NET context and of LightGBM: training is deterministic.</summary>
    public const int Seed = 1;

    private const string LabelColumn = "Label";
    private const string FeaturesColumn = "Features";
    private const string ScoreColumn = "Score";

    private static readonly Lazy<IrisClassifier> s_shared = new(Train, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly MLContext _mlContext;
    private readonly ITransformer _model;
    private readonly int[] _scoreIndexOfClass;

    private IrisClassifier(MLContext mlContext, ITransformer model, int[] scoreIndexOfClass, TimeSpan trainingTime)
    {
        _mlContext = mlContext;
        _model = model;
        _scoreIndexOfClass = scoreIndexOfClass;
        TrainingTime = trainingTime;
    }

    /// <summary>Gets the process-wide trained model (trained on first use).</summary>
    public static IrisClassifier Shared => s_shared.Value;

    /// <summary>Gets how long training took.</summary>
    public TimeSpan TrainingTime { get; }

    /// <summary>Gets, for classes A, B, C, the index of the species' probability in the trainer's score vector.</summary>
    public IReadOnlyList<int> ScoreIndexOfClass => _scoreIndexOfClass;

    /// <summary>Creates a prediction engine over the shared model (not thread-safe: one per user).</summary>
    public PredictionEngine<IrisInput, IrisScores> CreateEngine() =>
        _mlContext.Model.CreatePredictionEngine<IrisInput, IrisScores>(_model);

    /// <summary>Maps the trainer's score vector to A, B, C.</summary>
    public IrisOutput ToOutput(float[] score) => new()
    {
        A = score[_scoreIndexOfClass[0]],
        B = score[_scoreIndexOfClass[1]],
        C = score[_scoreIndexOfClass[2]],
    };

    private static IrisClassifier Train()
    {
        var stopwatch = Stopwatch.StartNew();
        var mlContext = new MLContext(seed: Seed);
        var data = mlContext.Data.LoadFromEnumerable(ReadTrainingRows());

        // species -> key. Key order follows first appearance in the data; read it back rather than assume it.
        var labelMap = mlContext.Transforms.Conversion.MapValueToKey(LabelColumn, IrisTrainingRow.SpeciesColumn).Fit(data);
        var keyed = labelMap.Transform(data);
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        keyed.Schema[LabelColumn].GetKeyValues(ref keyValues);

        var trainer = mlContext.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
        {
            LabelColumnName = LabelColumn,
            FeatureColumnName = FeaturesColumn,
            Seed = Seed,
            Deterministic = true,
            NumberOfThreads = 1,
            Silent = true,
        });
        // The scoring chain takes only the four features, so a PredictionEngine needs no species column.
        var model = mlContext.Transforms
            .Concatenate(FeaturesColumn,
                nameof(IrisInput.SepalLength), nameof(IrisInput.SepalWidth),
                nameof(IrisInput.PetalLength), nameof(IrisInput.PetalWidth))
            .Append(trainer)
            .Fit(keyed);

        // The score vector's slot names are the label's key values, in score order: check they agree.
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        model.Transform(keyed).Schema[ScoreColumn].GetSlotNames(ref slotNames);
        var keyOrder = keyValues.DenseValues().Select(v => v.ToString()).ToArray();
        var scoreOrder = slotNames.DenseValues().Select(v => v.ToString()).ToArray();
        if (!keyOrder.SequenceEqual(scoreOrder))
        {
            throw new InvalidOperationException(
                $"Score slots [{string.Join(", ", scoreOrder)}] do not follow the label keys [{string.Join(", ", keyOrder)}].");
        }

        var scoreIndexOfClass = IrisSpecies.InClassOrder.Select(species =>
        {
            var index = Array.IndexOf(scoreOrder, species);
            return index >= 0
                ? index
                : throw new InvalidOperationException($"Species '{species}' has no score slot; slots: {string.Join(", ", scoreOrder)}.");
        }).ToArray();

        return new IrisClassifier(mlContext, model, scoreIndexOfClass, stopwatch.Elapsed);
    }

    private static List<IrisTrainingRow> ReadTrainingRows()
    {
        var lines = IrisSampleData.ReadLines(IrisSampleData.TrainingCsv);
        var rows = new List<IrisTrainingRow>(lines.Count - 1);
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            if (fields.Length != 5)
            {
                throw new InvalidDataException($"iris.csv: expected 5 fields, got {fields.Length} in '{line}'.");
            }

            rows.Add(new IrisTrainingRow
            {
                SepalLength = float.Parse(fields[0], CultureInfo.InvariantCulture),
                SepalWidth = float.Parse(fields[1], CultureInfo.InvariantCulture),
                PetalLength = float.Parse(fields[2], CultureInfo.InvariantCulture),
                PetalWidth = float.Parse(fields[3], CultureInfo.InvariantCulture),
                Species = fields[4],
            });
        }

        return rows;
    }
}

/// <summary>One row of iris.csv, as ML.NET reads it for training.</summary>
internal sealed class IrisTrainingRow
{
    public const string SpeciesColumn = "species";

    public float SepalLength { get; set; }

    public float SepalWidth { get; set; }

    public float PetalLength { get; set; }

    public float PetalWidth { get; set; }

    [ColumnName(SpeciesColumn)]
    public string Species { get; set; } = "";
}

/// <summary>The trainer's output: one probability per species, in the label's key order.</summary>
internal sealed class IrisScores
{
    [ColumnName("Score")]
    public float[] Score { get; set; } = [];
}
