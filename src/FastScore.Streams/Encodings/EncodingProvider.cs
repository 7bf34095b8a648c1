using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;

namespace FastScore.Streams.Encodings;

/// <summary>Whether an encoding needs a schema.</summary>
public enum SchemaUse
{
    /// <summary>A schema is optional (<c>null</c> leaves the stream untyped).</summary>
    Optional,

    /// <summary>A schema is required (<c>avro-binary</c>: the records cannot be read without one).</summary>
    Required,

    /// <summary>A schema is not allowed; it defaults to <c>null</c> (<c>soap-rpc</c>: records are typed by themselves).</summary>
    Forbidden,
}

/// <summary>
/// The <c>Encoding</c> of one type name (<c>json</c>, <c>utf-8</c>, ...): how its descriptor part is read, what it
/// declares to the rules between components, and the <see cref="RecordEncoding"/> it creates. Register it with
/// <see cref="ComponentRegistry.Add(EncodingProvider)"/> or <c>builder.AddEncoding(provider)</c>. The null encoding
/// (raw bytes, <c>"Encoding": null</c>) is registered under <see cref="EncodingTypes.Null"/>.
/// </summary>
/// <remarks>Stateless and thread-safe: one instance serves every stream.</remarks>
public abstract class EncodingProvider
{
    /// <summary>Gets the canonical lower-case type name (<c>Encoding</c> or <c>Encoding.Type</c>).</summary>
    public abstract string Type { get; }

    /// <summary>Gets other spellings accepted on input (<c>utf-8</c>: <c>utf8</c>).</summary>
    /// <value>The default value is an empty list.</value>
    public virtual IReadOnlyList<ComponentAlias> Aliases => [];

    /// <summary>Gets the fields of the encoding object besides <c>Type</c> (an encoding with fields can be written as an object).</summary>
    /// <value>The default value is an empty list: the encoding is a bare name.</value>
    public virtual IReadOnlyList<string> Fields => [];

    /// <summary>Gets a value indicating whether a record finds its own end (Avro binary): such records cannot be cut by a separator.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public virtual bool IsSelfDelimiting => false;

    /// <summary>
    /// Gets the endings of a literal's data name (its path, topic or URL: <see cref="Descriptors.LiteralContext.EncodingSource"/>)
    /// that select this encoding, e.g. <c>.csv</c>; matched case-insensitively, the longest matching ending of any
    /// registered encoding wins.
    /// </summary>
    /// <value>The default value is empty: literals never guess this encoding.</value>
    public virtual IReadOnlyList<string> FileEndings => [];

    /// <summary>Gets whether the encoding needs a schema.</summary>
    /// <value>The default value is <see cref="SchemaUse.Optional"/>.</value>
    public virtual SchemaUse SchemaUse => SchemaUse.Optional;

    /// <summary>Gets the envelope used over a byte transport when the descriptor gives none (ignored when <see cref="IsSelfDelimiting"/>).</summary>
    /// <value>The default value is <c>delimited</c> (records end at a newline).</value>
    public virtual string DefaultEnvelope => EnvelopeTypes.Delimited;

    /// <summary>
    /// Gets a value indicating whether a record's bytes are checked against the model slot's schema as well as the
    /// stream's own when both are given. Encodings whose bytes can only be read with the schema they were written with
    /// (avro-binary, csv) say no: their records follow the stream's schema, and reach the model by schema resolution.
    /// </summary>
    internal virtual bool ChecksModelSchema => true;

    /// <summary>Reads the encoding's fields into its descriptor. Report wrong values through <see cref="DescriptorFields.Errors"/> and go on.</summary>
    /// <param name="fields">The fields of the encoding object (none when it was given as a bare name).</param>
    /// <returns>The descriptor.</returns>
    protected internal virtual EncodingDescriptor Read(DescriptorFields fields) => new(Type);

    /// <summary>Says whether a resolved schema suits the encoding.</summary>
    /// <param name="schema">The stream's schema.</param>
    /// <returns><see langword="null"/> when it does; otherwise what the encoding needs, e.g. <c>needs the schema "string"</c>.</returns>
    protected internal virtual string? CheckSchema(Avro.Schema schema) => null;

    /// <summary>Checks the rules between the encoding and the rest of the stream that no capability expresses (most encodings need none).</summary>
    /// <param name="encoding">The stream's encoding.</param>
    /// <param name="transport">The stream's transport, or <see langword="null"/> when it is invalid.</param>
    /// <param name="schema">The stream's schema field.</param>
    /// <param name="errors">Where errors go; paths are top-level fields (<c>"Schema"</c>).</param>
    protected internal virtual void ValidateStream(EncodingDescriptor encoding, TransportDescriptor? transport, SchemaReference schema, DescriptorErrors errors)
    {
    }

    /// <summary>Creates the encoding for one stream (it may be shared: encodings are thread-safe).</summary>
    /// <param name="encoding">The validated encoding (of this provider's type), or <see langword="null"/> for the null encoding.</param>
    /// <param name="context">The stream's descriptor, schema and direction.</param>
    /// <returns>The encoding.</returns>
    /// <exception cref="DescriptorException">The encoding cannot run in this stream; the message says why.</exception>
    public abstract RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context);

    /// <summary>Creates the framer that cuts a byte stream into records when the descriptor gives no envelope (a self-delimiting encoding reads its own records).</summary>
    /// <param name="encoding">The validated encoding.</param>
    /// <param name="context">The stream's descriptor, schema and direction.</param>
    /// <returns>The framer, or <see langword="null"/> (the default) when the whole stream is one record.</returns>
    public virtual Framer? CreateFramer(EncodingDescriptor? encoding, ComponentContext context) => null;

    /// <summary>Creates a provider from a factory (for hosts and tests that supply their own <see cref="RecordEncoding"/>).</summary>
    /// <param name="type">The type name (<see cref="EncodingTypes.Null"/> replaces the null encoding).</param>
    /// <param name="factory">Creates the encoding for a descriptor.</param>
    /// <returns>The provider; it declares the defaults (not self-delimiting, schema optional).</returns>
    public static EncodingProvider Create(string type, Func<EncodingDescriptor?, RecordEncoding> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(factory);
        return new DelegateEncodingProvider(type, factory);
    }

    private sealed class DelegateEncodingProvider(string type, Func<EncodingDescriptor?, RecordEncoding> factory) : EncodingProvider
    {
        public override string Type => type;

        public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context) => factory(encoding);
    }
}
