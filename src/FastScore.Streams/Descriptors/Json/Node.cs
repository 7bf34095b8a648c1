using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace FastScore.Streams.Descriptors.Json;

/// <summary>The shape of a <see cref="Node"/>.</summary>
internal enum NodeKind
{
    Null,
    String,
    Number,
    True,
    False,
    Object,
    Array,

    /// <summary>A configuration key with neither a value nor children: <c>{}</c> or <c>[]</c> in appsettings.json.</summary>
    Empty,
}

/// <summary>
/// One value of a descriptor, read either from JSON or from an <see cref="IConfigurationSection"/>. Configuration
/// scalars are untyped strings (<see cref="IsLoose"/>), so readers coerce them where a field wants a bool, number or null.
/// </summary>
internal readonly struct Node
{
    private readonly JsonElement _element;
    private readonly IConfigurationSection? _section;

    private Node(JsonElement element)
    {
        _element = element;
        _section = null;
        Kind = element.ValueKind switch
        {
            JsonValueKind.Object => NodeKind.Object,
            JsonValueKind.Array => NodeKind.Array,
            JsonValueKind.String => NodeKind.String,
            JsonValueKind.Number => NodeKind.Number,
            JsonValueKind.True => NodeKind.True,
            JsonValueKind.False => NodeKind.False,
            _ => NodeKind.Null,
        };
    }

    private Node(IConfigurationSection section)
    {
        _element = default;
        _section = section;
        if (section.Value is not null)
        {
            Kind = NodeKind.String;
            return;
        }

        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            Kind = NodeKind.Empty;
        }
        else
        {
            bool isArray = true;
            for (int i = 0; i < children.Count; i++)
            {
                if (children[i].Key != i.ToString(CultureInfo.InvariantCulture))
                {
                    isArray = false;
                    break;
                }
            }

            Kind = isArray ? NodeKind.Array : NodeKind.Object;
        }
    }

    public NodeKind Kind { get; }

    /// <summary>Gets a value indicating whether scalars are untyped strings (configuration).</summary>
    public bool IsLoose => _section is not null;

    public static Node FromJson(JsonElement element) => new(element);

    public static Node FromConfiguration(IConfigurationSection section) => new(section);

    /// <summary>Gets the properties of an object node, in document order.</summary>
    public IEnumerable<KeyValuePair<string, Node>> Properties()
    {
        if (_section is not null)
        {
            foreach (IConfigurationSection child in _section.GetChildren())
            {
                yield return new(child.Key, new Node(child));
            }

            yield break;
        }

        if (Kind != NodeKind.Object)
        {
            yield break;
        }

        foreach (JsonProperty property in _element.EnumerateObject())
        {
            yield return new(property.Name, new Node(property.Value));
        }
    }

    /// <summary>Gets the items of an array node.</summary>
    public IEnumerable<Node> Items()
    {
        if (_section is not null)
        {
            foreach (IConfigurationSection child in _section.GetChildren())
            {
                yield return new Node(child);
            }

            yield break;
        }

        if (Kind != NodeKind.Array)
        {
            yield break;
        }

        foreach (JsonElement item in _element.EnumerateArray())
        {
            yield return new Node(item);
        }
    }

    /// <summary>Gets the text of a string node (or of any configuration scalar).</summary>
    public string GetString() => _section is not null ? _section.Value ?? string.Empty : _element.GetString() ?? string.Empty;

    /// <summary>Gets the raw JSON text of a number node.</summary>
    public string GetNumberText() => _element.GetRawText();

    /// <summary>Gets a value indicating whether this is a configuration scalar that means null: <c>""</c> or <c>"null"</c>.</summary>
    public bool IsLooseNull => IsLoose && Kind == NodeKind.String && (GetString().Length == 0 || GetString().Equals("null", StringComparison.OrdinalIgnoreCase));

    /// <summary>Gets a value indicating whether this is a configuration scalar spelled <c>"null"</c>.</summary>
    public bool IsLooseNullWord => IsLoose && Kind == NodeKind.String && GetString().Equals("null", StringComparison.OrdinalIgnoreCase);

    /// <summary>Describes the value for an error message: <c>"abc"</c>, <c>12</c>, <c>true</c>, <c>null</c>, <c>an object</c>.</summary>
    public string Describe() => Kind switch
    {
        NodeKind.Null => "null",
        NodeKind.True => "true",
        NodeKind.False => "false",
        NodeKind.Number => Shorten(GetNumberText()),
        NodeKind.String => Quote(GetString()),
        NodeKind.Object => "an object",
        NodeKind.Array => "an array",
        _ => "an empty value",
    };

    /// <summary>Writes the node as JSON. Configuration scalars are written as strings.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        if (_section is null)
        {
            _element.WriteTo(writer);
            return;
        }

        switch (Kind)
        {
            case NodeKind.String:
                writer.WriteStringValue(GetString());
                break;
            case NodeKind.Array:
                writer.WriteStartArray();
                foreach (Node item in Items())
                {
                    item.WriteTo(writer);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStartObject();
                foreach (KeyValuePair<string, Node> property in Properties())
                {
                    writer.WritePropertyName(property.Key);
                    property.Value.WriteTo(writer);
                }

                writer.WriteEndObject();
                break;
        }
    }

    /// <summary>Returns the node as compact JSON text.</summary>
    public string ToJsonText()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Quote(string text) => DescriptorJson.QuoteString(Shorten(text));

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
}
