using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Schemas;

/// <summary>
/// Creates the <see cref="SchemaChecker"/>s for the records of one encoding. Register it with
/// <see cref="ComponentRegistry.Add(SchemaCheckerProvider)"/> or <c>builder.AddSchemaChecker(provider)</c>. A typed stream
/// whose encoding has no checker provider cannot be opened; an untyped one accepts every record.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public abstract class SchemaCheckerProvider
{
    /// <summary>Gets the canonical name of the encoding whose records the checkers check (<see cref="EncodingTypes.Null"/> for raw bytes).</summary>
    public abstract string EncodingType { get; }

    /// <summary>Creates a checker (thread-safe: build one per stream and reuse it).</summary>
    /// <param name="schema">The Avro schema, or <see langword="null"/> when the stream is untyped (a checker may still check well-formedness).</param>
    /// <param name="encoding">The stream's encoding, or <see langword="null"/> for raw bytes.</param>
    /// <returns>The checker.</returns>
    /// <exception cref="DescriptorException">The schema does not suit the encoding.</exception>
    public abstract SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding);

    /// <summary>Creates the checker of one stream, sharing per-stream state with its other components (csv: the columns).</summary>
    /// <param name="schema">The schema to check against, or <see langword="null"/>.</param>
    /// <param name="encoding">The stream's encoding.</param>
    /// <param name="context">The stream's components' context.</param>
    /// <returns>The checker.</returns>
    internal virtual SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding, ComponentContext context) => Create(schema, encoding);

    /// <summary>Creates a provider from a factory (for hosts and tests that supply their own checkers).</summary>
    /// <param name="encodingType">The encoding name.</param>
    /// <param name="factory">Creates a checker for a schema and an encoding.</param>
    /// <returns>The provider.</returns>
    public static SchemaCheckerProvider Create(string encodingType, Func<Avro.Schema?, EncodingDescriptor?, SchemaChecker> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(encodingType);
        ArgumentNullException.ThrowIfNull(factory);
        return new DelegateProvider(encodingType, factory);
    }

    private sealed class DelegateProvider(string encodingType, Func<Avro.Schema?, EncodingDescriptor?, SchemaChecker> factory) : SchemaCheckerProvider
    {
        public override string EncodingType => encodingType;

        public override SchemaChecker Create(Avro.Schema? schema, EncodingDescriptor? encoding) => factory(schema, encoding);
    }
}
