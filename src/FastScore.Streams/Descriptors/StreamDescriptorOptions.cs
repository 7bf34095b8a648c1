namespace FastScore.Streams.Descriptors;

/// <summary>A transport type contributed by a third-party package, with the capabilities the descriptor rules need.</summary>
/// <param name="Name">The type name as written in <c>Transport.Type</c> (matched case-insensitively; stored lower-case).</param>
/// <param name="PreservesRecordBoundaries">Whether each message is exactly one record (the envelope must then be null).</param>
/// <param name="IsSeekable">Whether the transport can rewind or start at an offset (Loop, SkipTo, SkipToRecord).</param>
/// <param name="CanRead">Whether the transport can be an input.</param>
/// <param name="CanWrite">Whether the transport can be an output.</param>
public sealed record CustomTransportType(string Name, bool PreservesRecordBoundaries, bool IsSeekable, bool CanRead = true, bool CanWrite = true);

/// <summary>
/// Options for reading stream descriptors: the schema library that <c>{"$ref": name}</c> resolves against, and the
/// transport types registered by third-party packages.
/// </summary>
/// <remarks>Configure once, then share: reading never changes the options. Not thread-safe while being configured.</remarks>
public sealed class StreamDescriptorOptions
{
    private readonly Dictionary<string, CustomTransportType> _customTransports = new(StringComparer.OrdinalIgnoreCase);
    private SchemaLibrary? _schemaLibrary;

    /// <summary>Gets the shared default options: no schema library, no custom transports.</summary>
    public static StreamDescriptorOptions Default { get; } = new();

    /// <summary>Gets or sets the schema library used to check <c>{"$ref": name}</c> schemas, or <see langword="null"/> to skip that check.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    /// <exception cref="InvalidOperationException">Set on <see cref="Default"/>.</exception>
    public SchemaLibrary? SchemaLibrary
    {
        get => _schemaLibrary;
        set
        {
            ThrowIfDefault();
            _schemaLibrary = value;
        }
    }

    /// <summary>Gets the registered third-party transport types, by lower-case name.</summary>
    public IReadOnlyDictionary<string, CustomTransportType> CustomTransports => _customTransports;

    /// <summary>Registers a third-party transport type: descriptors naming it parse into a <see cref="CustomTransportDescriptor"/>.</summary>
    /// <param name="type">The type and its capabilities.</param>
    /// <returns>The same options instance so that multiple calls can be chained.</returns>
    /// <exception cref="ArgumentException">The name is empty, or is a built-in transport type.</exception>
    /// <exception cref="InvalidOperationException">Called on <see cref="Default"/>.</exception>
    public StreamDescriptorOptions AddTransportType(CustomTransportType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentException.ThrowIfNullOrWhiteSpace(type.Name, nameof(type));
        ThrowIfDefault();

        string name = type.Name.Trim().ToLowerInvariant();
        if (Json.DescriptorNames.IsBuiltInTransport(name))
        {
            throw new ArgumentException($"'{name}' is a built-in transport type and cannot be registered again.", nameof(type));
        }

        _customTransports[name] = type with { Name = name };
        return this;
    }

    /// <summary>Registers a third-party transport type.</summary>
    /// <param name="name">The type name as written in <c>Transport.Type</c>.</param>
    /// <param name="preservesRecordBoundaries">Whether each message is exactly one record.</param>
    /// <param name="isSeekable">Whether the transport can rewind or start at an offset.</param>
    /// <param name="canRead">Whether the transport can be an input.</param>
    /// <param name="canWrite">Whether the transport can be an output.</param>
    /// <returns>The same options instance so that multiple calls can be chained.</returns>
    /// <exception cref="ArgumentException">The name is empty, or is a built-in transport type.</exception>
    public StreamDescriptorOptions AddTransportType(string name, bool preservesRecordBoundaries, bool isSeekable, bool canRead = true, bool canWrite = true) =>
        AddTransportType(new CustomTransportType(name, preservesRecordBoundaries, isSeekable, canRead, canWrite));

    private void ThrowIfDefault()
    {
        if (ReferenceEquals(this, Default))
        {
            throw new InvalidOperationException("The shared default options cannot be changed; create a new StreamDescriptorOptions.");
        }
    }
}
