using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Envelopes;

/// <summary>
/// The <c>Envelope</c> of one type name (<c>delimited</c>, <c>fixed</c>, ...): how its descriptor part is read, what it
/// declares to the rules between components, and the <see cref="Framer"/> it creates for each stream. Register it with
/// <see cref="ComponentRegistry.Add(EnvelopeProvider)"/> or <c>builder.AddEnvelope(provider)</c>. Its descriptor type
/// (a subclass of <see cref="EnvelopeDescriptor"/>) checks and writes its own fields.
/// </summary>
/// <remarks>
/// The core reads <c>MaxRecordSize</c> and <c>OnOversize</c> for every envelope; <see cref="Read"/> reads the rest.
/// Stateless and thread-safe: one instance serves every stream.
/// </remarks>
public abstract class EnvelopeProvider
{
    /// <summary>Gets the canonical lower-case type name (<c>Envelope.Type</c>).</summary>
    public abstract string Type { get; }

    /// <summary>Gets other spellings accepted on input.</summary>
    /// <value>The default value is an empty list.</value>
    public virtual IReadOnlyList<ComponentAlias> Aliases => [];

    /// <summary>Gets the fields of the envelope object besides <c>Type</c>, <c>MaxRecordSize</c> and <c>OnOversize</c> (unknown fields are errors, with the nearest known name).</summary>
    /// <value>The default value is an empty list.</value>
    public virtual IReadOnlyList<string> Fields => [];

    /// <summary>
    /// Gets a value indicating whether the envelope can frame records of a self-delimiting encoding (whose bytes may hold
    /// any byte value, see <see cref="Encodings.EncodingProvider.IsSelfDelimiting"/>). A separator-based envelope cannot.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public virtual bool CanFrameSelfDelimitingEncodings => true;

    /// <summary>Gets the only encoding the envelope can carry (<c>ocf-block</c>: <c>avro-binary</c>), or <see langword="null"/> for any.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public virtual string? RequiredEncoding => null;

    /// <summary>Reads the envelope's own fields into its descriptor. Report wrong values through <see cref="DescriptorFields.Errors"/> and go on.</summary>
    /// <param name="fields">The fields of the envelope object (none when it was given as a bare name).</param>
    /// <returns>The descriptor; the core then sets <see cref="EnvelopeDescriptor.MaxRecordSize"/> and <see cref="EnvelopeDescriptor.OnOversize"/>.</returns>
    protected internal abstract EnvelopeDescriptor Read(DescriptorFields fields);

    /// <summary>Creates a new framer for one stream (framers keep per-stream state).</summary>
    /// <param name="envelope">The validated envelope (of this provider's type).</param>
    /// <param name="context">The stream's descriptor, schema and direction.</param>
    /// <returns>The framer.</returns>
    /// <exception cref="DescriptorException">The envelope cannot run in this stream; the message says why.</exception>
    public abstract Framer CreateFramer(EnvelopeDescriptor envelope, ComponentContext context);
}
