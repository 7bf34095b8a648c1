using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using FastScore.Streams.Descriptors.Json;

namespace FastScore.Streams.Descriptors;

/// <summary>
/// Named Avro schemas that <c>{"$ref": "name"}</c> resolves against: registered in code with
/// <see cref="Register(string, string)"/> and/or loaded from a folder of <c>name.avsc</c> files with
/// <see cref="FromDirectory(string)"/>. FastScore kept these in Model Manage.
/// </summary>
/// <remarks>
/// A <c>$ref</c> naming an Avro primitive type (<c>null</c>, <c>boolean</c>, <c>int</c>, <c>long</c>, <c>float</c>,
/// <c>double</c>, <c>bytes</c>, <c>string</c>) resolves to that primitive when the library has no schema of that
/// name (a real FastScore example uses <c>{"$ref": "double"}</c>). Thread-safe; schemas are parsed once, when registered.
/// </remarks>
public sealed class SchemaLibrary
{
    private readonly ConcurrentDictionary<string, (string Json, Avro.Schema Schema)> _schemas = new(StringComparer.Ordinal);

    // Folders looked up at each lookup, first wins (a long-running engine sees schemas added after it started), and
    // what was read from them, by file, with the file's time stamp (a changed file is read again).
    private readonly List<string> _followed = [];
    private readonly ConcurrentDictionary<string, (DateTime Stamp, string Json, Avro.Schema Schema)> _read = new(StringComparer.Ordinal);

    /// <summary>Gets the names of the registered schemas, sorted.</summary>
    public IReadOnlyList<string> Names =>
    [
        .. _schemas.Keys.Concat(Followed().SelectMany(FolderNames)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal),
    ];

    /// <summary>Loads every <c>*.avsc</c> file of a folder; the file name without extension is the schema name.</summary>
    /// <param name="path">The folder.</param>
    /// <returns>The library.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="DescriptorException">One or more files are not valid Avro schemas (every bad file is listed, by file name).</exception>
    public static SchemaLibrary FromDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"Schema folder not found: {path}");
        }

        var library = new SchemaLibrary();
        var errors = new List<DescriptorError>();
        foreach (string file in Directory.EnumerateFiles(path, "*.avsc").Order(StringComparer.Ordinal))
        {
            string name = System.IO.Path.GetFileNameWithoutExtension(file);
            string json = File.ReadAllText(file);
            if (TryParse(json, out Avro.Schema? schema, out string? error))
            {
                library._schemas[name] = (json, schema);
            }
            else
            {
                errors.Add(new DescriptorError(System.IO.Path.GetFileName(file), $"not a valid Avro schema: {error}"));
            }
        }

        return errors.Count == 0 ? library : throw new DescriptorException(errors, $"schema folder {path}");
    }

    /// <summary>Registers (or replaces) a schema.</summary>
    /// <param name="name">The name used in <c>{"$ref": name}</c>.</param>
    /// <param name="json">The Avro schema in JSON form.</param>
    /// <returns>The same library so that multiple calls can be chained.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="DescriptorException"><paramref name="json"/> is not a valid Avro schema (the error path is the name).</exception>
    public SchemaLibrary Register(string name, string json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(json);
        if (!TryParse(json, out Avro.Schema? schema, out string? error))
        {
            throw new DescriptorException(name, $"not a valid Avro schema: {error}");
        }

        _schemas[name] = (json, schema);
        return this;
    }

    /// <summary>Gets a value indicating whether a schema of that name is registered (primitives are not listed).</summary>
    /// <param name="name">The schema name.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool Contains(string name) => TryGetSchemaJson(name, out _);

    /// <summary>Gets the JSON of a registered schema.</summary>
    /// <param name="name">The schema name.</param>
    /// <param name="json">The schema as it was registered, when found.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool TryGetSchemaJson(string name, [NotNullWhen(true)] out string? json)
    {
        if (TryFindFollowed(name, out (string Json, Avro.Schema Schema) entry) || _schemas.TryGetValue(name, out entry))
        {
            json = entry.Json;
            return true;
        }

        json = null;
        return false;
    }

    /// <summary>Gets a registered schema, or the Avro primitive of that name.</summary>
    /// <param name="name">The schema name.</param>
    /// <param name="schema">The parsed schema, when found.</param>
    /// <returns><see langword="true"/> when found.</returns>
    public bool TryGetSchema(string name, [NotNullWhen(true)] out Avro.Schema? schema)
    {
        if (TryFindFollowed(name, out (string Json, Avro.Schema Schema) entry) || _schemas.TryGetValue(name, out entry))
        {
            schema = entry.Schema;
            return true;
        }

        return TryGetPrimitive(name, out schema);
    }

    /// <summary>Resolves a descriptor's <c>Schema</c> field to an Avro schema.</summary>
    /// <param name="reference">The schema field.</param>
    /// <returns>The schema; <see langword="null"/> for <see cref="SchemaKind.None"/> (untyped).</returns>
    /// <exception cref="InvalidOperationException"><paramref name="reference"/> is <c>"$inherit"</c>: that schema comes from the model's slot.</exception>
    /// <exception cref="DescriptorException">A <c>$ref</c> names no schema of the library and no Avro primitive, or an inline schema is invalid.</exception>
    public Avro.Schema? Resolve(SchemaReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        switch (reference.Kind)
        {
            case SchemaKind.None:
                return null;
            case SchemaKind.Inherit:
                throw new InvalidOperationException("Schema \"$inherit\" has no schema of its own: it takes the schema of the model's slot.");
            case SchemaKind.Inline:
                return TryParse(reference.Json!, out Avro.Schema? inline, out string? error)
                    ? inline
                    : throw new DescriptorException("Schema", $"not a valid Avro schema: {error}");
            default:
                return TryGetSchema(reference.Name!, out Avro.Schema? named)
                    ? named
                    : throw new DescriptorException("Schema.$ref", MissingMessage(reference.Name!));
        }
    }

    /// <summary>
    /// Makes every lookup look in a folder first (the first followed folder wins), so that a schema written there
    /// after the library was made (<c>fastscore schema add</c> next to a running engine) is found, and a changed file
    /// is read again. Only plain names are looked up (letters, digits, <c>-</c>, <c>_</c>, <c>.</c>, not starting with
    /// a dot): a <c>$ref</c> cannot reach a file outside the folder. A file that is not a valid schema is passed over.
    /// </summary>
    internal SchemaLibrary Follow(string folder)
    {
        lock (_followed)
        {
            _followed.Add(System.IO.Path.GetFullPath(folder));
        }

        return this;
    }

    private bool TryFindFollowed(string name, out (string Json, Avro.Schema Schema) entry)
    {
        entry = default;
        if (_followed.Count == 0 || !IsPlainName(name))
        {
            return false;
        }

        foreach (string folder in Followed())
        {
            string file = System.IO.Path.Combine(folder, name + ".avsc");
            try
            {
                if (!File.Exists(file))
                {
                    continue;
                }

                DateTime stamp = File.GetLastWriteTimeUtc(file);
                if (_read.TryGetValue(file, out (DateTime Stamp, string Json, Avro.Schema Schema) known) && known.Stamp == stamp)
                {
                    entry = (known.Json, known.Schema);
                    return true;
                }

                string json = File.ReadAllText(file);
                if (TryParse(json, out Avro.Schema? schema, out _))
                {
                    _read[file] = (stamp, json, schema);
                    entry = (json, schema);
                    return true;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // unreadable now: the next folder, then what was registered
            }
        }

        return false;
    }

    private string[] Followed()
    {
        lock (_followed)
        {
            return [.. _followed];
        }
    }

    private static IEnumerable<string> FolderNames(string folder)
    {
        try
        {
            return Directory.Exists(folder)
                ? [.. Directory.EnumerateFiles(folder, "*.avsc").Select(f => System.IO.Path.GetFileNameWithoutExtension(f)).Where(IsPlainName)]
                : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 200 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    internal string MissingMessage(string name)
    {
        IReadOnlyList<string> names = Names;
        string known = names.Count == 0 ? "the library is empty" : $"known: {string.Join(", ", names)}";
        return $"no schema named '{name}' in the schema library ({known}; Avro primitive names such as \"double\" also resolve).{NameSuggester.DidYouMean(name, names)}";
    }

    internal static bool TryGetPrimitive(string name, [NotNullWhen(true)] out Avro.Schema? schema)
    {
        if (DescriptorNames.AvroPrimitives.Contains(name, StringComparer.Ordinal))
        {
            schema = Avro.PrimitiveSchema.Create(Enum.Parse<Avro.Schema.Type>(name, ignoreCase: true));
            return true;
        }

        schema = null;
        return false;
    }

    internal static bool TryParse(string json, [NotNullWhen(true)] out Avro.Schema? schema, [NotNullWhen(false)] out string? error)
    {
        const string Types = "null, boolean, int, long, float, double, bytes, string, record, enum, array, map, fixed, or a union [...]";
        schema = null;
        string trimmed = json.Trim();
        if (trimmed.StartsWith('"'))
        {
            string? name = null;
            try
            {
                name = System.Text.Json.JsonSerializer.Deserialize(trimmed, Json.DescriptorJsonContext.Default.String);
            }
            catch (System.Text.Json.JsonException)
            {
                // reported below
            }

            if (name is not null && TryGetPrimitive(name, out schema))
            {
                error = null;
                return true;
            }

            error = $"{Json.Node.Quote(name ?? trimmed)} is not an Avro type; a schema written as a string must be a primitive type name (null, boolean, int, long, float, double, bytes, string).";
            return false;
        }

        try
        {
            schema = Avro.Schema.Parse(json);
            error = schema is null ? $"it does not define a known Avro type (expected {Types})." : null;
            return schema is not null;
        }
#pragma warning disable CA1031 // Avro and Newtonsoft.Json throw several exception types for a bad schema; each is a validation failure
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            schema = null;
            error = ex is NullReferenceException
                ? $"it uses an unknown Avro type (expected {Types})."
                : ex.Message.Trim();
            return false;
        }
    }
}
