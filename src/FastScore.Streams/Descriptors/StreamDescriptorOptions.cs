namespace FastScore.Streams.Descriptors;

/// <summary>
/// Options for reading stream descriptors: the <see cref="ComponentRegistry"/> whose transports, envelopes and encodings
/// descriptors may name (and whose providers read, check and print them), and the schema library that
/// <c>{"$ref": name}</c> resolves against.
/// </summary>
/// <remarks>Configure once, then share: reading never changes the options. Not thread-safe while being configured.</remarks>
public sealed class StreamDescriptorOptions
{
    private SchemaLibrary? _schemaLibrary;
    private ComponentRegistry _components = ComponentRegistry.Default;

    /// <summary>Gets the shared default options: the core's components, no schema library.</summary>
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

    /// <summary>Gets or sets the registry of components descriptors may name.</summary>
    /// <value>The default value is <see cref="ComponentRegistry.Default"/> (the core's components). A <see cref="StreamFactory"/>'s <see cref="StreamFactoryOptions.CreateDescriptorOptions"/> gives its own registry.</value>
    /// <exception cref="InvalidOperationException">Set on <see cref="Default"/>.</exception>
    public ComponentRegistry Components
    {
        get => _components;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            ThrowIfDefault();
            _components = value;
        }
    }

    private void ThrowIfDefault()
    {
        if (ReferenceEquals(this, Default))
        {
            throw new InvalidOperationException("The shared default options cannot be changed; create a new StreamDescriptorOptions.");
        }
    }
}
