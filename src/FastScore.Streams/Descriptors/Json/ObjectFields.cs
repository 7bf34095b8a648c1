namespace FastScore.Streams.Descriptors.Json;

/// <summary>
/// The fields of one JSON object, matched case-insensitively against the known names (and their aliases).
/// Reports unknown fields (with the nearest known name) and fields given twice.
/// </summary>
internal sealed class ObjectFields
{
    private readonly Dictionary<string, Node> _values = new(StringComparer.Ordinal);
    private readonly string _path;

    public ObjectFields(Node node, string path, IReadOnlyList<string> known, string context, ErrorSink sink, IReadOnlyDictionary<string, string>? aliases = null)
    {
        _path = path;
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, Node> property in node.Properties())
        {
            string? canonical = known.FirstOrDefault(k => k.Equals(property.Key, StringComparison.OrdinalIgnoreCase));
            if (canonical is null && aliases is not null)
            {
                foreach (KeyValuePair<string, string> alias in aliases)
                {
                    if (alias.Key.Equals(property.Key, StringComparison.OrdinalIgnoreCase))
                    {
                        canonical = alias.Value;
                    }
                }
            }

            if (canonical is null)
            {
                sink.Error(
                    property.Key.Length == 0 ? DescriptorPath.Key(path, property.Key) : DescriptorPath.Join(path, property.Key), // "" names no field: [""]
                    $"unknown field of {context}; known fields: {string.Join(", ", known)}.{NameSuggester.DidYouMean(property.Key, known)}");
                continue;
            }

            if (written.TryGetValue(canonical, out string? first))
            {
                sink.Error(DescriptorPath.Join(path, canonical), $"given twice (as '{first}' and '{property.Key}'); give it once.");
                continue;
            }

            written[canonical] = property.Key;
            _values[canonical] = property.Value;
        }
    }

    /// <summary>Picks the known fields of an object without reporting anything (another reader reports the rest).</summary>
    public static ObjectFields Quiet(Node node, string path, IReadOnlyList<string> known)
    {
        var fields = new ObjectFields(path);
        foreach (KeyValuePair<string, Node> property in node.Properties())
        {
            string? canonical = known.FirstOrDefault(k => k.Equals(property.Key, StringComparison.OrdinalIgnoreCase));
            if (canonical is not null)
            {
                fields._values.TryAdd(canonical, property.Value);
            }
        }

        return fields;
    }

    /// <summary>Creates an empty field set (a string shortcut such as <c>"REST"</c> has no fields).</summary>
    public ObjectFields(string path) => _path = path;

    public bool TryGet(string name, out Node value) => _values.TryGetValue(name, out value);

    public bool Has(string name) => _values.ContainsKey(name);

    public string PathOf(string name) => DescriptorPath.Join(_path, name);
}

internal static class DescriptorPath
{
    public static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    /// <summary>A key of a free-form map such as Kafka <c>Config</c>: <c>Transport.Config["ssl.key.password"]</c>.</summary>
    public static string Key(string parent, string key) => $"{parent}[\"{key}\"]";
}
