using FastScore.Streams.Descriptors.Json;

namespace FastScore.Streams.Descriptors;

/// <summary>
/// The fields of one part of a descriptor (a transport, an envelope, an encoding) being read by its provider, from JSON
/// or from configuration. Field names match case-insensitively against the names the provider declares; unknown
/// fields were already reported (with the nearest known name). Every getter reports a wrong value at its field path
/// through <see cref="Errors"/> and returns the fallback, so that reading goes on and every error is found.
/// </summary>
public sealed class DescriptorFields
{
    private readonly ObjectFields _fields;
    private readonly Node? _object;

    internal DescriptorFields(ObjectFields fields, DescriptorErrors errors, string type, Node? objectNode)
    {
        _fields = fields;
        _object = objectNode;
        bool isShortcut = objectNode is null;
        Errors = errors;
        Type = type;
        IsShortcut = isShortcut;
    }

    /// <summary>Gets the canonical type name being read, e.g. <c>kafka</c>.</summary>
    public string Type { get; }

    /// <summary>Gets a value indicating whether the part was given as a bare name (<c>"REST"</c>, <c>"delimited"</c>): it has no fields.</summary>
    public bool IsShortcut { get; }

    /// <summary>Gets where errors and warnings go; paths are relative to the part.</summary>
    public DescriptorErrors Errors { get; }

    /// <summary>Gets the full path of a field, e.g. <c>Transport.Topic</c>.</summary>
    /// <param name="field">The field name as declared.</param>
    /// <returns>The path.</returns>
    public string PathOf(string field) => _fields.PathOf(field);

    /// <summary>Gets a value indicating whether the field was given (possibly as null).</summary>
    /// <param name="field">The field name as declared.</param>
    /// <returns><see langword="true"/> when given.</returns>
    public bool Has(string field) => _fields.Has(field);

    /// <summary>Gets a field's value.</summary>
    /// <param name="field">The field name as declared.</param>
    /// <param name="value">The value, when given.</param>
    /// <returns><see langword="true"/> when given.</returns>
    public bool TryGet(string field, out DescriptorValue value)
    {
        if (_fields.TryGet(field, out Node node))
        {
            value = new DescriptorValue(node, _fields.PathOf(field));
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Reads a required non-null string. A missing field is reported (with a hint when the part was a bare name).</summary>
    /// <param name="field">The field name.</param>
    /// <param name="allowed">What is allowed, for the error message; <see langword="null"/> for "a non-empty string".</param>
    /// <returns>The string, or the empty string after an error.</returns>
    public string RequiredString(string field, string? allowed = null)
    {
        allowed ??= Allowed.NonEmptyString;
        if (!_fields.TryGet(field, out Node node))
        {
            Errors.Add(field, $"required field is missing{ShortcutHint}; expected {allowed}.");
            return string.Empty;
        }

        return NodeValues.TryString(node, Errors.PathOf(field), allowed, Errors.Sink, out string value) ? value : string.Empty;
    }

    /// <summary>Reads an optional string; null and a missing field give <paramref name="fallback"/>.</summary>
    /// <param name="field">The field name.</param>
    /// <param name="fallback">The default.</param>
    /// <returns>The string, or <paramref name="fallback"/>.</returns>
    public string? OptionalString(string field, string? fallback = null)
    {
        if (!_fields.TryGet(field, out Node node) || node.Kind is NodeKind.Null or NodeKind.Empty || node.IsLooseNullWord)
        {
            return fallback;
        }

        return NodeValues.TryString(node, Errors.PathOf(field), Allowed.StringOrNull, Errors.Sink, out string value) ? value : fallback;
    }

    /// <summary>Reads an optional boolean (<c>"true"</c>/<c>"false"</c> in configuration).</summary>
    /// <param name="field">The field name.</param>
    /// <param name="fallback">The default.</param>
    /// <returns>The value, or <paramref name="fallback"/>.</returns>
    public bool OptionalBoolean(string field, bool fallback) =>
        _fields.TryGet(field, out Node node) && NodeValues.TryBool(node, Errors.PathOf(field), Errors.Sink, out bool value) ? value : fallback;

    /// <summary>Reads a required integer in a range.</summary>
    /// <param name="field">The field name.</param>
    /// <param name="allowed">What is allowed, for the error message, e.g. "an integer from 1 to 65535".</param>
    /// <param name="min">The smallest value the type can hold here (range rules belong to validation).</param>
    /// <param name="max">The largest value.</param>
    /// <returns>The value, or 0 after an error.</returns>
    public long RequiredInteger(string field, string allowed, long min = int.MinValue, long max = int.MaxValue)
    {
        if (!_fields.TryGet(field, out Node node))
        {
            Errors.Add(field, $"required field is missing{ShortcutHint}; expected {allowed}.");
            return 0;
        }

        return NodeValues.TryInt64(node, Errors.PathOf(field), allowed, min, max, Errors.Sink, out long value) ? value : 0;
    }

    /// <summary>Reads an optional integer; a missing field gives <paramref name="fallback"/>, null gives <see langword="null"/>.</summary>
    /// <param name="field">The field name.</param>
    /// <param name="allowed">What is allowed, for the error message.</param>
    /// <param name="fallback">The default.</param>
    /// <param name="min">The smallest value the type can hold here.</param>
    /// <param name="max">The largest value.</param>
    /// <returns>The value, null, or <paramref name="fallback"/> (also after an error).</returns>
    public long? OptionalInteger(string field, string allowed, long? fallback, long min = int.MinValue, long max = int.MaxValue)
    {
        if (!_fields.TryGet(field, out Node node))
        {
            return fallback;
        }

        if (NodeValues.IsNull(node))
        {
            return null;
        }

        return NodeValues.TryInt64(node, Errors.PathOf(field), allowed, min, max, Errors.Sink, out long value) ? value : fallback;
    }

    /// <summary>Reads an array of strings; a missing field or null gives <see langword="null"/>.</summary>
    /// <param name="field">The field name.</param>
    /// <returns>The strings, or <see langword="null"/>.</returns>
    public IReadOnlyList<string>? OptionalStringArray(string field)
    {
        if (!_fields.TryGet(field, out Node node) || node.Kind is NodeKind.Null || node.IsLooseNull)
        {
            return null;
        }

        return NodeValues.StringArray(node, Errors.PathOf(field), Errors.Sink);
    }

    /// <summary>Gets " (the shortcut "x" gives no fields; write an object)" when the part was a bare name, otherwise the empty string.</summary>
    public string ShortcutHint => IsShortcut ? $" (the shortcut \"{Type}\" gives no fields; write an object)" : string.Empty;

    /// <summary>Keeps every field as JSON (for providers that declare no fields).</summary>
    internal CustomTransportDescriptor ToCustomDescriptor(bool preservesRecordBoundaries, bool isSeekable, bool canRead, bool canWrite)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(nameof(Type), Type);
            if (_object is { } o)
            {
                foreach (KeyValuePair<string, Node> property in o.Properties())
                {
                    if (!property.Key.Equals("Type", StringComparison.OrdinalIgnoreCase))
                    {
                        writer.WritePropertyName(property.Key);
                        property.Value.WriteTo(writer);
                    }
                }
            }

            writer.WriteEndObject();
        }

        using var document = System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory);
        return new CustomTransportDescriptor(Type, document.RootElement, preservesRecordBoundaries, isSeekable, canRead, canWrite);
    }
}
