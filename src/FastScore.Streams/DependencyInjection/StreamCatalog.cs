using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using FastScore.Streams.Descriptors;
using Microsoft.Extensions.DependencyInjection;

namespace FastScore.Streams;

/// <summary>
/// The named streams of an application (registered with <c>AddStream</c> or read from configuration with
/// <c>AddStreamsFromConfiguration</c>), and the <see cref="StreamFactory"/> that opens them:
/// <c>catalog.CreateInput("scores-in")</c>.
/// </summary>
/// <remarks>
/// Resolve it from DI (<c>services.AddFastScoreStreams()</c>). Every descriptor is read and validated when the catalog
/// is created, so a bad descriptor fails at start, not at first use. Names are matched case-insensitively, as
/// configuration keys are; when a name is registered twice the last registration wins. Thread-safe; safe to cache for
/// the lifetime of the application. Configuration is read once: later changes are not picked up.
/// </remarks>
public sealed class StreamCatalog
{
    private readonly Dictionary<string, StreamDescriptor> _streams;

    /// <summary>Creates a catalog over named descriptors.</summary>
    /// <param name="factory">The factory that opens the streams.</param>
    /// <param name="streams">The streams by name; a later entry replaces an earlier one of the same name.</param>
    /// <exception cref="ArgumentException">A name is empty.</exception>
    public StreamCatalog(StreamFactory factory, IEnumerable<KeyValuePair<string, StreamDescriptor>> streams)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(streams);
        Factory = factory;
        _streams = new Dictionary<string, StreamDescriptor>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, StreamDescriptor descriptor) in streams)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(streams));
            ArgumentNullException.ThrowIfNull(descriptor, nameof(streams));
            _streams.Remove(name); // keep the latest spelling of the name
            _streams[name] = descriptor;
        }

        Names = [.. _streams.Keys.Order(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Gets the factory that opens the streams.</summary>
    public StreamFactory Factory { get; }

    /// <summary>Gets the names of the registered streams, sorted.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Gets a value indicating whether a stream of that name is registered.</summary>
    /// <param name="name">The stream's name (case-insensitive).</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _streams.ContainsKey(name);
    }

    /// <summary>Gets the descriptor of a named stream.</summary>
    /// <param name="name">The stream's name (case-insensitive).</param>
    /// <param name="descriptor">The descriptor, when registered.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool TryGetDescriptor(string name, [NotNullWhen(true)] out StreamDescriptor? descriptor)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _streams.TryGetValue(name, out descriptor);
    }

    /// <summary>Gets the descriptor of a named stream.</summary>
    /// <param name="name">The stream's name (case-insensitive).</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="KeyNotFoundException">No stream of that name is registered (the message lists the registered names).</exception>
    public StreamDescriptor GetDescriptor(string name) =>
        TryGetDescriptor(name, out StreamDescriptor? descriptor)
            ? descriptor
            : throw new KeyNotFoundException(
                $"No stream named '{name}' is registered; registered: {(Names.Count == 0 ? "none" : string.Join(", ", Names))}. Register it with AddStream or AddStreamsFromConfiguration.");

    /// <summary>Builds an input stream from a named descriptor. Nothing is opened until the first read.</summary>
    /// <param name="name">The stream's name (case-insensitive).</param>
    /// <param name="options">Slot, inherited schema, schema lookup and reject callback; the stream's name defaults to <paramref name="name"/>.</param>
    /// <returns>The stream; dispose it when done.</returns>
    /// <exception cref="KeyNotFoundException">No stream of that name is registered.</exception>
    /// <exception cref="DescriptorException">The transport cannot be an input, a component is not registered, or the schema cannot be resolved.</exception>
    public InputStream CreateInput(string name, StreamOpenOptions? options = null)
    {
        StreamDescriptor descriptor = GetDescriptor(name);
        return Factory.CreateInput(descriptor, options, defaultName: name);
    }

    /// <summary>Builds an output stream from a named descriptor. Nothing is opened until the first write.</summary>
    /// <param name="name">The stream's name (case-insensitive).</param>
    /// <param name="options">Slot, inherited schema, schema lookup and reject callback; the stream's name defaults to <paramref name="name"/>.</param>
    /// <returns>The stream; complete and dispose it when done.</returns>
    /// <exception cref="KeyNotFoundException">No stream of that name is registered.</exception>
    /// <exception cref="DescriptorException">The transport cannot be an output, a component is not registered, or the schema cannot be resolved.</exception>
    public OutputStream CreateOutput(string name, StreamOpenOptions? options = null)
    {
        StreamDescriptor descriptor = GetDescriptor(name);
        return Factory.CreateOutput(descriptor, options, defaultName: name);
    }

    /// <summary>Builds the catalog from the registrations in DI, reading and validating every descriptor.</summary>
    internal static StreamCatalog FromServices(IServiceProvider services)
    {
        StreamFactory factory = services.GetRequiredService<StreamFactory>();
        StreamDescriptorOptions options = services.GetRequiredService<StreamDescriptorOptions>();
        var streams = new List<KeyValuePair<string, StreamDescriptor>>();
        var failures = new List<(string Name, DescriptorException Error)>();
        foreach (NamedStreamSource source in services.GetServices<NamedStreamSource>())
        {
            foreach (NamedStreamSource.Entry entry in source.Read(services, options))
            {
                try
                {
                    streams.Add(new(entry.Name, entry.Build()));
                }
                catch (DescriptorException ex)
                {
                    failures.Add((entry.Name, ex));
                }
            }
        }

        if (failures.Count == 1)
        {
            ExceptionDispatchInfo.Throw(failures[0].Error);
        }

        if (failures.Count > 1)
        {
            throw new DescriptorException(
                [.. failures.SelectMany(f => f.Error.Errors.Select(e => e with { Path = e.Path.Length == 0 ? $"[{f.Name}]" : $"[{f.Name}] {e.Path}" }))],
                $"{failures.Count} named streams: {string.Join("; ", failures.Select(f => f.Error.Origin ?? $"stream '{f.Name}'"))}");
        }

        return new StreamCatalog(factory, streams);
    }
}
