using System.Reflection;
using FastScore.Samples.Iris;
using FastScore.Streams.Engine;

namespace FastScore.Cli;

/// <summary>Finds a model: a built-in sample by name, or a host's own type in an assembly.</summary>
internal static class ModelLoader
{
    /// <summary>The built-in models the CLI knows by name.</summary>
    public static IReadOnlyDictionary<string, Func<IModel>> BuiltIns { get; } = new Dictionary<string, Func<IModel>>(StringComparer.OrdinalIgnoreCase)
    {
        ["iris"] = () => new IrisModel(),
        ["echo"] = () => new EchoModel(),
    };

    /// <summary>Loads a model by name, or <paramref name="typeName"/> from <paramref name="assemblyPath"/>.</summary>
    /// <exception cref="ArgumentException">The model cannot be found or created; the message says why.</exception>
    public static IModel Load(string name, string? assemblyPath, string? typeName)
    {
        if (assemblyPath is null)
        {
            return BuiltIns.TryGetValue(name, out Func<IModel>? create)
                ? create()
                : throw new ArgumentException($"Unknown model '{name}'. Built-in models: {string.Join(", ", BuiltIns.Keys.Order(StringComparer.Ordinal))}; or give --assembly <path.dll> --type <Name> for your own.");
        }

        string path = Path.GetFullPath(assemblyPath);
        if (!File.Exists(path))
        {
            throw new ArgumentException($"Assembly '{path}' does not exist.");
        }

        Assembly assembly = Assembly.LoadFrom(path);
        string wanted = typeName ?? name;
        Type[] candidates = assembly.GetExportedTypes()
            .Where(t => typeof(IModel).IsAssignableFrom(t) && !t.IsAbstract && (t.FullName == wanted || t.Name == wanted))
            .ToArray();
        if (candidates.Length != 1)
        {
            string models = string.Join(", ", assembly.GetExportedTypes().Where(t => typeof(IModel).IsAssignableFrom(t) && !t.IsAbstract).Select(t => t.FullName));
            throw new ArgumentException(candidates.Length == 0
                ? $"No model type '{wanted}' in {Path.GetFileName(path)}; models there: {(models.Length == 0 ? "none" : models)}."
                : $"'{wanted}' is ambiguous in {Path.GetFileName(path)}: {string.Join(", ", candidates.Select(c => c.FullName))}.");
        }

        return Activator.CreateInstance(candidates[0]) as IModel
            ?? throw new ArgumentException($"{candidates[0].FullName} has no public parameterless constructor.");
    }
}

/// <summary>The built-in <c>echo</c> model: writes every input record, unchanged, to slot 1.</summary>
internal sealed class EchoModel : IModel<byte[], byte[]>
{
    public ValueTask ActionAsync(byte[] input, RecordContext context, IModelOutput<byte[]> output, CancellationToken cancellationToken)
    {
        output.Emit(input);
        return default;
    }
}
