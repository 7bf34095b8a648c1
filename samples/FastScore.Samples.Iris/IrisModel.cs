using FastScore.Streams.Engine;
using Microsoft.ML;

namespace FastScore.Samples.Iris;

/// <summary>
/// The FastScore guide's iris model in .NET: reads an <see cref="IrisInput"/> on slot 0 and emits one
/// <see cref="IrisOutput"/> (the probabilities of setosa, versicolor and virginica as A, B, C) on slot 1.
/// </summary>
/// <remarks>
/// <para>The classifier is an ML.NET LightGBM multiclass model trained once per process, on first use, from the
/// iris.csv embedded in this assembly (deterministic seed; training takes well under a second). Constructing further
/// instances only creates a prediction engine.</para>
/// <para>An instance is not thread-safe (ML.NET's <see cref="PredictionEngine{TSrc, TDst}"/> is not); the engine calls a
/// model from one task at a time. Use one instance per concurrent caller, or the thread-safe static <see cref="Predict"/>.</para>
/// </remarks>
public sealed class IrisModel : IModel<IrisInput, IrisOutput>, IDisposable
{
    private static readonly Lock s_sharedEngineLock = new();
    private static PredictionEngine<IrisInput, IrisScores>? s_sharedEngine;

    private readonly IrisClassifier _classifier;
    private readonly PredictionEngine<IrisInput, IrisScores> _engine;
    private IrisScores _scores = new();

    /// <summary>Initializes a new instance of the <see cref="IrisModel"/> class, training the shared classifier if needed.</summary>
    public IrisModel()
    {
        _classifier = IrisClassifier.Shared;
        _engine = _classifier.CreateEngine();
    }

    /// <summary>Gets the Avro schema of the input records (slot 0): <c>xgboost_iris_input.avsc</c>.</summary>
    public static string InputSchema { get; } = IrisSampleData.ReadAllText(IrisSampleData.InputSchemaFile);

    /// <summary>Gets the Avro schema of the output records (slot 1): <c>xgboost_iris_output.avsc</c>.</summary>
    public static string OutputSchema { get; } = IrisSampleData.ReadAllText(IrisSampleData.OutputSchemaFile);

    /// <summary>Gets how long the shared classifier took to train.</summary>
    public static TimeSpan TrainingTime => IrisClassifier.Shared.TrainingTime;

    /// <summary>Gets slot 0 (input, <see cref="InputSchema"/>) and slot 1 (output, <see cref="OutputSchema"/>).</summary>
    public IReadOnlyList<SlotDefinition> Slots { get; } = [new(0, InputSchema), new(1, OutputSchema)];

    /// <summary>Scores one flower with a process-wide engine. Thread-safe (calls are serialized).</summary>
    /// <param name="input">The flower.</param>
    /// <returns>The class probabilities.</returns>
    public static IrisOutput Predict(IrisInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var classifier = IrisClassifier.Shared;
        lock (s_sharedEngineLock)
        {
            s_sharedEngine ??= classifier.CreateEngine();
            return classifier.ToOutput(s_sharedEngine.Predict(input).Score);
        }
    }

    /// <summary>Scores one flower with this instance's engine. Not thread-safe.</summary>
    /// <param name="input">The flower.</param>
    /// <returns>The class probabilities.</returns>
    public IrisOutput Score(IrisInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _engine.Predict(input, ref _scores);
        return _classifier.ToOutput(_scores.Score);
    }

    /// <inheritdoc />
    public ValueTask ActionAsync(IrisInput input, RecordContext context, IModelOutput<IrisOutput> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        cancellationToken.ThrowIfCancellationRequested();
        output.Emit(Score(input));
        return default;
    }

    /// <summary>Releases the prediction engine.</summary>
    public void Dispose() => _engine.Dispose();
}
