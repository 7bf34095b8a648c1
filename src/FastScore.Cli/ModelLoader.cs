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
    /// <param name="name">A built-in model, a model of the library (<c>fastscore model add</c>), or the type name in <paramref name="assemblyPath"/>.</param>
    /// <param name="assemblyPath">The assembly of the host's own model, or null.</param>
    /// <param name="typeName">The type in <paramref name="assemblyPath"/> (default: <paramref name="name"/>).</param>
    /// <param name="library">The library that named models are looked up in.</param>
    /// <exception cref="ArgumentException">The model cannot be found or created; the message says why.</exception>
    public static IModel Load(string name, string? assemblyPath, string? typeName, CliLibrary? library = null)
    {
        if (assemblyPath is null)
        {
            if (BuiltIns.TryGetValue(name, out Func<IModel>? create))
            {
                return create();
            }

            if (library is not null && library.TryGetModel(name, out string? libraryAssembly, out string? libraryType))
            {
                return Load(libraryType, libraryAssembly, libraryType);
            }

            IReadOnlyList<string> named = library is null ? [] : CliLibrary.Names(library.ModelsFolder, ".json");
            throw new ArgumentException($"Unknown model '{name}'. Built-in models: {string.Join(", ", BuiltIns.Keys.Order(StringComparer.Ordinal))}" +
                (named.Count > 0 ? $"; in the library: {string.Join(", ", named)}" : "") +
                "; or add yours with fastscore model add NAME --assembly <path.dll> --type <Name>, or give --assembly and --type.");
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
