using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FastScore.Streams.Descriptors;

namespace FastScore.Cli;

/// <summary>
/// The library of named streams, schemas, models and engines (FastScore's Model Manage, as plain files): the CLI's
/// folder, <c>$FASTSCORE_HOME</c> when set, else <c>.fastscore/</c> in the working directory.
/// </summary>
/// <remarks>
/// Layout: <c>streams/NAME.json</c> (a descriptor), <c>schemas/NAME.avsc</c> (an Avro schema),
/// <c>models/NAME.json</c> (<c>{"Assembly": "path.dll", "Type": "Namespace.Type"}</c>, the path relative to the
/// folder), <c>engines/NAME</c> (an engine's URL) and <c>engine</c> (the selected engine's URL). Plain text, so the
/// folder can live in git.
/// </remarks>
internal sealed partial class CliLibrary(string home)
{
    /// <summary>The variable that names the CLI's folder.</summary>
    public const string HomeVariable = "FASTSCORE_HOME";

    /// <summary>The folder.</summary>
    public string Home { get; } = home;

    public string StreamsFolder => Path.Combine(Home, "streams");

    public string SchemasFolder => Path.Combine(Home, "schemas");

    public string ModelsFolder => Path.Combine(Home, "models");

    public string EnginesFolder => Path.Combine(Home, "engines");

    /// <summary>The library of the working directory, or of <c>$FASTSCORE_HOME</c>.</summary>
    public static CliLibrary For(CliIo io) =>
        new(io.GetVariable(HomeVariable) is { Length: > 0 } home ? Path.GetFullPath(home) : Path.Combine(Environment.CurrentDirectory, ".fastscore"));

    /// <summary>A library name: letters, digits, <c>_ - .</c>, starting with a letter, digit or <c>_</c>; at most 100 characters.</summary>
    public static bool IsName(string text) => NamePattern().IsMatch(text);

    /// <summary>Why a name is refused, or null when it is a valid name.</summary>
    public static string? NameProblem(string text) => IsName(text)
        ? null
        : $"'{text}' is not a valid name: use letters, digits, '_', '-' and '.', starting with a letter, a digit or '_' (at most 100 characters).";

    /// <summary>The file of a named stream (whether it exists or not).</summary>
    public string StreamFile(string name) => Path.Combine(StreamsFolder, name + ".json");

    /// <summary>The file of a named schema.</summary>
    public string SchemaFile(string name) => Path.Combine(SchemasFolder, name + ".avsc");

    /// <summary>The file of a named model.</summary>
    public string ModelFile(string name) => Path.Combine(ModelsFolder, name + ".json");

    /// <summary>The file of a named engine.</summary>
    public string EngineFile(string name) => Path.Combine(EnginesFolder, name);

    /// <summary>
    /// What a stream argument stands for: an existing file is itself, a library name is its descriptor file, anything
    /// else (JSON, a literal) is returned as is.
    /// </summary>
    public string ResolveStream(string text) =>
        !File.Exists(text) && IsName(text) && File.Exists(StreamFile(text)) ? StreamFile(text) : text;

    /// <summary>The names of the files of a folder with an extension, sorted.</summary>
    public static IReadOnlyList<string> Names(string folder, string extension) =>
        Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*" + extension).Select(f => Path.GetFileName(f)[..^extension.Length]).Where(IsName).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>
    /// The schema library that <c>{"$ref": name}</c> resolves against: the library's <c>schemas/</c>, then the
    /// <c>--schemas</c> folder (whose schemas win over the library's of the same name); null when neither exists.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The <c>--schemas</c> folder does not exist.</exception>
    /// <exception cref="DescriptorException">A schema file is not a valid Avro schema.</exception>
    public SchemaLibrary? Schemas(string? extraFolder) => Schemas(extraFolder, follow: false);

    /// <summary>
    /// The schema library as <see cref="Schemas(string?)"/> reads it; with <paramref name="follow"/> (a long-running
    /// engine, <c>fastscore serve</c>) never null, and every lookup looks in the <c>--schemas</c> folder and the library's
    /// <c>schemas/</c> first, so <c>fastscore schema add</c> needs no restart.
    /// </summary>
    public SchemaLibrary? Schemas(string? extraFolder, bool follow)
    {
        if (follow)
        {
            SchemaLibrary live = Schemas(extraFolder) ?? new SchemaLibrary();
            if (extraFolder is not null)
            {
                live.Follow(extraFolder);
            }

            return live.Follow(SchemasFolder);
        }

        SchemaLibrary? library = Directory.Exists(SchemasFolder) ? SchemaLibrary.FromDirectory(SchemasFolder) : null;
        if (extraFolder is null)
        {
            return library;
        }

        SchemaLibrary extra = SchemaLibrary.FromDirectory(extraFolder);
        if (library is null)
        {
            return extra;
        }

        foreach (string name in extra.Names)
        {
            _ = extra.TryGetSchemaJson(name, out string? json);
            library.Register(name, json!);
        }

        return library;
    }

    /// <summary>A named model of the library: its assembly (full path) and type.</summary>
    /// <exception cref="ArgumentException">The model file is not valid.</exception>
    public bool TryGetModel(string name, [NotNullWhen(true)] out string? assembly, [NotNullWhen(true)] out string? type)
    {
        assembly = type = null;
        string file = ModelFile(name);
        if (!IsName(name) || !File.Exists(file))
        {
            return false;
        }

        try
        {
            JsonNode? node = JsonNode.Parse(File.ReadAllText(file));
            assembly = node?["Assembly"]?.GetValue<string>();
            type = node?["Type"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"{file}: not a model file ({{\"Assembly\": \"path.dll\", \"Type\": \"Namespace.Type\"}}): {ex.Message}");
        }

        if (assembly is null || type is null)
        {
            throw new ArgumentException($"{file}: a model file needs \"Assembly\" and \"Type\".");
        }

        assembly = Path.GetFullPath(assembly, Home);
        return true;
    }

    /// <summary>Writes a file of the library; refuses to replace one unless <paramref name="force"/>.</summary>
    /// <returns>Null when written, else why not.</returns>
    public static string? Write(string file, string text, bool force, string what)
    {
        if (File.Exists(file) && !force)
        {
            return $"{what} already exists ({file}); give --force to replace it.";
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        string temporary = file + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temporary, text.EndsWith('\n') ? text : text + "\n");
        File.Move(temporary, file, overwrite: true);
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
