namespace FastScore.Samples.Iris;

/// <summary>
/// The FastScore guide's iris files, embedded in this assembly (and also copied next to it as <c>data/*</c>).
/// </summary>
public static class IrisSampleData
{
    /// <summary>Fisher's iris data set: 150 rows, header <c>sepal_length,sepal_width,petal_length,petal_width,species</c>.</summary>
    public const string TrainingCsv = "iris.csv";

    /// <summary>The Avro schema of the model's input (slot 0).</summary>
    public const string InputSchemaFile = "xgboost_iris_input.avsc";

    /// <summary>The Avro schema of the model's output (slot 1).</summary>
    public const string OutputSchemaFile = "xgboost_iris_output.avsc";

    /// <summary>The guide's 25 input records, one JSON object per line.</summary>
    public const string GuideInputs = "xgboost_iris_inputs.jsons";

    /// <summary>The guide's single input record.</summary>
    public const string GuideSingleInput = "xgboost_iris_single.json";

    /// <summary>What the guide's XGBoost model answered for <see cref="GuideSingleInput"/> (the guide spells it "ouput").</summary>
    public const string GuideSingleOutput = "xgboost_iris_ouput.json";

    private const string ResourcePrefix = "FastScore.Samples.Iris.data.";

    /// <summary>Gets the names of the embedded files.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        [TrainingCsv, InputSchemaFile, OutputSchemaFile, GuideInputs, GuideSingleInput, GuideSingleOutput];

    /// <summary>Gets the directory the files are copied to at build time (<c>data</c> next to this assembly).</summary>
    public static string DataDirectory => Path.Combine(AppContext.BaseDirectory, "data");

    /// <summary>Opens an embedded file.</summary>
    /// <param name="fileName">One of <see cref="FileNames"/>.</param>
    /// <returns>A readable stream; the caller disposes it.</returns>
    /// <exception cref="FileNotFoundException">No such embedded file.</exception>
    public static Stream Open(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return typeof(IrisSampleData).Assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new FileNotFoundException(
                $"'{fileName}' is not embedded in {typeof(IrisSampleData).Assembly.GetName().Name}; known: {string.Join(", ", FileNames)}.",
                fileName);
    }

    /// <summary>Reads an embedded file as UTF-8 text.</summary>
    /// <param name="fileName">One of <see cref="FileNames"/>.</param>
    /// <returns>The file's text.</returns>
    /// <exception cref="FileNotFoundException">No such embedded file.</exception>
    public static string ReadAllText(string fileName)
    {
        using var stream = Open(fileName);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Reads an embedded file's non-empty lines.</summary>
    /// <param name="fileName">One of <see cref="FileNames"/>.</param>
    /// <returns>The lines, without line ends.</returns>
    /// <exception cref="FileNotFoundException">No such embedded file.</exception>
    public static IReadOnlyList<string> ReadLines(string fileName) =>
        ReadAllText(fileName).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
