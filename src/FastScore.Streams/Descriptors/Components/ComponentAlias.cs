namespace FastScore.Streams.Descriptors;

/// <summary>Another spelling of a component's type name, accepted on input (case-insensitively).</summary>
/// <param name="Name">The other spelling, e.g. <c>utf8</c> or <c>deliminated</c>.</param>
/// <param name="Warning">
/// <see langword="null"/> when the spelling is simply accepted; otherwise why it is discouraged (e.g. "an old
/// misspelling"), reported as a warning: <c>'deliminated' is an old misspelling; read as 'delimited'.</c>
/// </param>
public sealed record ComponentAlias(string Name, string? Warning = null);

/// <summary>What a component provider knows when it creates the running part of one stream.</summary>
public sealed class ComponentContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="descriptor">The stream's validated descriptor.</param>
    /// <param name="schema">The stream's resolved schema, or <see langword="null"/>.</param>
    /// <param name="isInput"><see langword="true"/> for an input stream.</param>
    public ComponentContext(StreamDescriptor descriptor, Avro.Schema? schema, bool isInput)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Descriptor = descriptor;
        Schema = schema;
        IsInput = isInput;
    }

    /// <summary>Gets the stream's validated descriptor.</summary>
    public StreamDescriptor Descriptor { get; }

    /// <summary>Gets the stream's resolved Avro schema (inline, <c>$ref</c> or inherited), or <see langword="null"/> when the stream is untyped.</summary>
    public Avro.Schema? Schema { get; }

    /// <summary>Gets a value indicating whether the stream is an input (<see langword="false"/>: an output).</summary>
    public bool IsInput { get; }
}
