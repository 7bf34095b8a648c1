using System.Text.Json;

namespace FastScore.Streams.Descriptors;

/// <summary>A stream literal tag a transport provider expands, with the example shown when a literal is malformed.</summary>
/// <param name="Tag">The tag before the first colon, lower-case, e.g. <c>kafka</c>.</param>
/// <param name="Example">A valid literal, e.g. <c>kafka:broker:9092/topic.json</c>.</param>
public sealed record LiteralTag(string Tag, string Example);

/// <summary>
/// One stream literal being expanded by the transport provider that owns its tag. The provider writes the
/// <c>Transport</c> value with <see cref="Transport"/> (an object with a <c>Type</c>, or a bare type name), says which part
/// of the literal names the data (<see cref="EncodingSource"/>: the encoding is guessed from its ending), and may set
/// other descriptor fields (<see cref="SetField"/>). The result is read like any descriptor, so every other field
/// takes its default.
/// </summary>
public sealed class LiteralContext
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    internal LiteralContext(string literal, string tag, string details, Utf8JsonWriter transport, string example)
    {
        Literal = literal;
        Tag = tag;
        Details = details;
        Transport = transport;
        Example = example;
    }

    /// <summary>Gets the whole literal as written.</summary>
    public string Literal { get; }

    /// <summary>Gets the tag, lower-case (<c>kafka</c> in <c>kafka:broker:9092/t.json</c>).</summary>
    public string Tag { get; }

    /// <summary>Gets what follows the first colon (<c>broker:9092/t.json</c>).</summary>
    public string Details { get; }

    /// <summary>Gets the writer of the <c>Transport</c> value: write exactly one JSON value.</summary>
    public Utf8JsonWriter Transport { get; }

    /// <summary>
    /// Gets or sets the part of the literal that names the data (a path, a topic, an object key): its ending picks the
    /// registered encoding that declares it (<see cref="Encodings.EncodingProvider.FileEndings"/>: <c>.csv</c> csv,
    /// <c>.avro</c> avro-binary, <c>.utf8</c> utf-8, <c>.bin</c> raw bytes, a package's own); anything else gives json.
    /// <see langword="null"/> (the default) gives json.
    /// </summary>
    public string? EncodingSource { get; set; }

    /// <summary>Gets the example of valid syntax for this tag.</summary>
    public string Example { get; }

    internal IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    /// <summary>Sets a top-level descriptor field (other than Transport and Encoding) from the literal, e.g. <c>SkipToRecord</c>.</summary>
    /// <param name="field">The field name.</param>
    /// <param name="json">The field's value as JSON text, e.g. <c>"\"earliest\""</c> or <c>"42"</c>.</param>
    public void SetField(string field, string json)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentNullException.ThrowIfNull(json);
        _fields.Add(new(field, json));
    }

    /// <summary>Creates the error for a malformed literal: <c>'literal' problem; valid syntax: example.</c></summary>
    /// <param name="problem">What is wrong, e.g. "needs an absolute path".</param>
    /// <returns>The exception to throw.</returns>
    public DescriptorException Fail(string problem) =>
        new([new DescriptorError(string.Empty, $"'{Literal}' {problem}; valid syntax: {Example}.")], $"literal '{Literal}'");
}
