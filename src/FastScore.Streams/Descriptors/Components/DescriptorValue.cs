using System.Text.Json;
using FastScore.Streams.Descriptors.Json;

namespace FastScore.Streams.Descriptors;

/// <summary>
/// One value of a descriptor being read, from JSON or from configuration (<c>appsettings.json</c>, environment
/// variables), with its field path. Providers read the fields of their component through <see cref="DescriptorFields"/>;
/// this type serves free-form values (a map of settings, a nested object).
/// </summary>
public readonly struct DescriptorValue
{
    internal DescriptorValue(Node node, string path)
    {
        Node = node;
        Path = path;
    }

    internal Node Node { get; }

    /// <summary>Gets the field path of the value, e.g. <c>Transport.Config["acks"]</c>.</summary>
    public string Path { get; }

    /// <summary>Gets the JSON kind of the value (in configuration every scalar is a string, and a key with neither value nor children is <see cref="JsonValueKind.Null"/>: see <see cref="IsEmpty"/>).</summary>
    public JsonValueKind Kind => Node.Kind switch
    {
        NodeKind.Null or NodeKind.Empty => JsonValueKind.Null,
        NodeKind.String => JsonValueKind.String,
        NodeKind.Number => JsonValueKind.Number,
        NodeKind.True => JsonValueKind.True,
        NodeKind.False => JsonValueKind.False,
        NodeKind.Array => JsonValueKind.Array,
        _ => JsonValueKind.Object,
    };

    /// <summary>Gets a value indicating whether the value is null (in configuration also "", "null", or a key without value).</summary>
    public bool IsNull => Node.Kind is NodeKind.Null or NodeKind.Empty || Node.IsLooseNull;

    /// <summary>Gets a value indicating whether the value is a configuration key with neither a value nor children (<c>{}</c>, <c>[]</c> or null in appsettings.json).</summary>
    public bool IsEmpty => Node.Kind is NodeKind.Empty;

    /// <summary>Gets a value indicating whether the value came from configuration, where every scalar is a string.</summary>
    public bool IsFromConfiguration => Node.IsLoose;

    /// <summary>Gets the text of a string value, or the empty string.</summary>
    /// <returns>The text.</returns>
    public string GetString() => Node.Kind == NodeKind.String ? Node.GetString() : string.Empty;

    /// <summary>Gets the text of a scalar as a setting string: a string as is, a number as written, a boolean as <c>true</c>/<c>false</c>; <see langword="null"/> for objects, arrays and null.</summary>
    /// <returns>The text, or <see langword="null"/>.</returns>
    public string? GetScalarText() => Node.Kind switch
    {
        NodeKind.String => Node.GetString(),
        NodeKind.Number => Node.GetNumberText(),
        NodeKind.True => "true",
        NodeKind.False => "false",
        _ => null,
    };

    /// <summary>Gets the fields of an object value (an empty sequence for other kinds), each with its path.</summary>
    /// <returns>The fields, in the order written.</returns>
    public IEnumerable<KeyValuePair<string, DescriptorValue>> Properties()
    {
        string path = Path;
        return Node.Kind is NodeKind.Object or NodeKind.Empty
            ? Node.Properties().Select(p => new KeyValuePair<string, DescriptorValue>(p.Key, new DescriptorValue(p.Value, DescriptorPath.Key(path, p.Key))))
            : [];
    }

    /// <summary>Gets the items of an array value (an empty sequence for other kinds), each with its path.</summary>
    /// <returns>The items.</returns>
    public IEnumerable<DescriptorValue> Items()
    {
        string path = Path;
        return Node.Kind is NodeKind.Array or NodeKind.Empty ? Node.Items().Select((n, i) => new DescriptorValue(n, DescriptorPath.Index(path, i))) : [];
    }

    /// <summary>Gets the value as JSON text (configuration values become strings, objects and arrays).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJsonText() => Node.ToJsonText();

    /// <summary>Describes the value for an error message, e.g. <c>the number 5</c> or <c>the string "x"</c>.</summary>
    /// <returns>The description.</returns>
    public string Describe() => Node.Describe();

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Describe()}";
}
