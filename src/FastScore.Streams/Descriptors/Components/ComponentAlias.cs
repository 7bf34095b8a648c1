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

    /// <summary>
    /// Gets the model slot's schema when it differs from the stream's own (and is compatible with it), or
    /// <see langword="null"/>: avro-binary inputs read records written with the stream's schema as the model's (Avro schema resolution).
    /// </summary>
    internal Avro.Schema? ModelSchema { get; init; }

    private Dictionary<Type, object>? _shared;

    /// <summary>
    /// Gets the per-stream object of type <typeparamref name="T"/> that the stream's components share (csv: the columns,
    /// filled by the envelope from the header and read by the encoding and the checker), creating it on first use.
    /// </summary>
    internal T Shared<T>(Func<T> create) where T : class
    {
        _shared ??= [];
        if (_shared.TryGetValue(typeof(T), out object? value))
        {
            return (T)value;
        }

        T created = create();
        _shared[typeof(T)] = created;
        return created;
    }
}
