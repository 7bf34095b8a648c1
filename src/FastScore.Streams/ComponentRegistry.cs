using System.Diagnostics.CodeAnalysis;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;

namespace FastScore.Streams;

/// <summary>
/// The one registry of stream components: transports, envelopes, encodings and schema checkers, each a provider
/// registered by its type name (matched case-insensitively, with its aliases). The descriptor reader, the literal
/// parser and the <see cref="StreamFactory"/> all look components up here, so a name is either registered (read,
/// checked, printed and run by its provider) or an error naming the registered ones.
/// </summary>
/// <remarks>
/// <see cref="ComponentRegistry()"/> creates a registry holding the components the core ships; packages add theirs
/// (<c>AddKafka()</c>, <c>builder.AddTransport(...)</c>). Adding a provider whose name (or alias) is already registered
/// replaces it. Configure once, then share: lookups are thread-safe while nobody adds.
/// </remarks>
public sealed class ComponentRegistry
{
    private readonly Table<TransportProvider> _transports = new(p => p.Type, p => p.Aliases);
    private readonly Table<EnvelopeProvider> _envelopes = new(p => p.Type, p => p.Aliases);
    private readonly Table<EncodingProvider> _encodings = new(p => p.Type, p => p.Aliases);
    private readonly Table<SchemaCheckerProvider> _checkers = new(p => p.EncodingType, _ => []);
    private readonly bool _readOnly;

    /// <summary>Creates a registry holding the components the core ships: the transports file, inline, discard and console; the envelopes delimited and fixed; the encodings json, utf-8 and null (raw bytes) with their checkers; and the FastScore names no provider runs yet (see docs/architecture.md).</summary>
    public ComponentRegistry()
        : this(readOnly: false)
    {
        BuiltIns.Register(this);
    }

    private ComponentRegistry(bool readOnly) => _readOnly = readOnly;

    /// <summary>Gets the shared registry of the core's components; it cannot be changed (create a <see cref="ComponentRegistry"/> to add components).</summary>
    public static ComponentRegistry Default { get; } = new ComponentRegistry().AsReadOnly();

    /// <summary>Gets a value indicating whether providers can no longer be added (<see cref="Default"/>).</summary>
    public bool IsReadOnly => _readOnly;

    /// <summary>Gets the registered transport type names, sorted.</summary>
    public IReadOnlyList<string> TransportNames => _transports.Names;

    /// <summary>Gets the registered envelope type names, sorted.</summary>
    public IReadOnlyList<string> EnvelopeNames => _envelopes.Names;

    /// <summary>Gets the registered encoding type names, sorted (without <see cref="EncodingTypes.Null"/>: descriptors write the null encoding as <c>null</c>).</summary>
    public IReadOnlyList<string> EncodingNames => [.. _encodings.Names.Where(n => n != EncodingTypes.Null)];

    /// <summary>Gets the encoding names that have a schema checker, sorted.</summary>
    public IReadOnlyList<string> SchemaCheckerNames => _checkers.Names;

    /// <summary>Gets the stream literal tags of the registered transports, sorted.</summary>
    public IReadOnlyList<string> LiteralTags =>
        [.. _transports.Providers.SelectMany(p => p.LiteralTags).Select(t => t.Tag).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Registers (or replaces) a transport.</summary>
    /// <param name="provider">The provider; its <see cref="TransportProvider.Type"/> and aliases are the names.</param>
    /// <returns>The same registry so that calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The registry is read-only.</exception>
    public ComponentRegistry Add(TransportProvider provider)
    {
        ThrowIfReadOnly();
        _transports.Add(provider);
        return this;
    }

    /// <summary>Registers (or replaces) an envelope.</summary>
    /// <param name="provider">The provider.</param>
    /// <returns>The same registry so that calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The registry is read-only.</exception>
    public ComponentRegistry Add(EnvelopeProvider provider)
    {
        ThrowIfReadOnly();
        _envelopes.Add(provider);
        return this;
    }

    /// <summary>Registers (or replaces) an encoding.</summary>
    /// <param name="provider">The provider.</param>
    /// <returns>The same registry so that calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The registry is read-only.</exception>
    public ComponentRegistry Add(EncodingProvider provider)
    {
        ThrowIfReadOnly();
        _encodings.Add(provider);
        return this;
    }

    /// <summary>Registers (or replaces) the schema checkers of an encoding.</summary>
    /// <param name="provider">The provider.</param>
    /// <returns>The same registry so that calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The registry is read-only.</exception>
    public ComponentRegistry Add(SchemaCheckerProvider provider)
    {
        ThrowIfReadOnly();
        _checkers.Add(provider);
        return this;
    }

    /// <summary>Finds a transport by type name or alias (case-insensitive).</summary>
    /// <param name="type">The name.</param>
    /// <param name="provider">The provider, when registered.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool TryGetTransport(string type, [NotNullWhen(true)] out TransportProvider? provider) => _transports.TryGet(type, out provider, out _);

    /// <summary>Finds an envelope by type name or alias (case-insensitive).</summary>
    /// <param name="type">The name.</param>
    /// <param name="provider">The provider, when registered.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool TryGetEnvelope(string type, [NotNullWhen(true)] out EnvelopeProvider? provider) => _envelopes.TryGet(type, out provider, out _);

    /// <summary>Finds an encoding by type name or alias (case-insensitive); <see cref="EncodingTypes.Null"/> finds the null encoding.</summary>
    /// <param name="type">The name.</param>
    /// <param name="provider">The provider, when registered.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool TryGetEncoding(string type, [NotNullWhen(true)] out EncodingProvider? provider) => _encodings.TryGet(type, out provider, out _);

    /// <summary>Finds the schema checkers of an encoding.</summary>
    /// <param name="encodingType">The canonical encoding name (<see cref="EncodingTypes.Null"/> for raw bytes).</param>
    /// <param name="provider">The provider, when registered.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public bool TryGetSchemaChecker(string encodingType, [NotNullWhen(true)] out SchemaCheckerProvider? provider) => _checkers.TryGet(encodingType, out provider, out _);

    /// <summary>Creates a registry with the same providers that can be changed independently.</summary>
    /// <returns>The copy.</returns>
    public ComponentRegistry Clone()
    {
        var copy = new ComponentRegistry(readOnly: false);
        copy.CopyFrom(this);
        return copy;
    }

    internal bool TryFindTransport(string type, [NotNullWhen(true)] out TransportProvider? provider, out ComponentAlias? alias) => _transports.TryGet(type, out provider, out alias);

    internal bool TryFindEnvelope(string type, [NotNullWhen(true)] out EnvelopeProvider? provider, out ComponentAlias? alias) => _envelopes.TryGet(type, out provider, out alias);

    internal bool TryFindEncoding(string type, [NotNullWhen(true)] out EncodingProvider? provider, out ComponentAlias? alias)
    {
        if (type.Trim().Equals(EncodingTypes.Null, StringComparison.OrdinalIgnoreCase))
        {
            provider = null; // "null" is written as JSON null, never as a name
            alias = null;
            return false;
        }

        return _encodings.TryGet(type, out provider, out alias);
    }

    internal EncodingProvider NullEncoding =>
        _encodings.TryGet(EncodingTypes.Null, out EncodingProvider? provider, out _) ? provider : throw new DescriptorException("Encoding", "no null encoding (raw bytes) is registered.");

    internal bool TryFindLiteral(string tag, [NotNullWhen(true)] out TransportProvider? provider, [NotNullWhen(true)] out LiteralTag? literal)
    {
        foreach (TransportProvider p in _transports.Providers)
        {
            foreach (LiteralTag t in p.LiteralTags)
            {
                if (t.Tag.Equals(tag, StringComparison.OrdinalIgnoreCase))
                {
                    provider = p;
                    literal = t;
                    return true;
                }
            }
        }

        provider = null;
        literal = null;
        return false;
    }

    internal IEnumerable<LiteralTag> AllLiteralTags => _transports.Providers.SelectMany(p => p.LiteralTags);

    private ComponentRegistry AsReadOnly()
    {
        var frozen = new ComponentRegistry(readOnly: true);
        frozen.CopyFrom(this);
        return frozen;
    }

    private void CopyFrom(ComponentRegistry other)
    {
        _transports.CopyFrom(other._transports);
        _envelopes.CopyFrom(other._envelopes);
        _encodings.CopyFrom(other._encodings);
        _checkers.CopyFrom(other._checkers);
    }

    private void ThrowIfReadOnly()
    {
        if (_readOnly)
        {
            throw new InvalidOperationException("The shared default registry cannot be changed; create a new ComponentRegistry.");
        }
    }

    /// <summary>Providers by canonical name, and every name and alias → canonical name.</summary>
    private sealed class Table<T>(Func<T, string> name, Func<T, IReadOnlyList<ComponentAlias>> aliases)
        where T : class
    {
        private readonly Dictionary<string, T> _byName = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, (string Canonical, ComponentAlias? Alias)> _names = new(StringComparer.OrdinalIgnoreCase);

        public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

        public IEnumerable<T> Providers => _byName.Values;

        public void Add(T provider)
        {
            ArgumentNullException.ThrowIfNull(provider);
            string canonical = name(provider)?.Trim().ToLowerInvariant() ?? string.Empty;
            if (canonical.Length == 0)
            {
                throw new ArgumentException("The provider's type name is empty.", nameof(provider));
            }

            if (_byName.Remove(canonical))
            {
                foreach (string key in _names.Where(n => n.Value.Canonical == canonical).Select(n => n.Key).ToList())
                {
                    _names.Remove(key);
                }
            }

            _byName[canonical] = provider;
            _names[canonical] = (canonical, null);
            foreach (ComponentAlias alias in aliases(provider))
            {
                _names[alias.Name.Trim()] = (canonical, alias);
            }
        }

        public bool TryGet(string type, [NotNullWhen(true)] out T? provider, out ComponentAlias? alias)
        {
            ArgumentNullException.ThrowIfNull(type);
            if (_names.TryGetValue(type.Trim(), out (string Canonical, ComponentAlias? Alias) entry) && _byName.TryGetValue(entry.Canonical, out provider))
            {
                alias = entry.Alias;
                return true;
            }

            provider = null;
            alias = null;
            return false;
        }

        public void CopyFrom(Table<T> other)
        {
            foreach (KeyValuePair<string, T> entry in other._byName)
            {
                _byName[entry.Key] = entry.Value;
            }

            foreach (KeyValuePair<string, (string, ComponentAlias?)> entry in other._names)
            {
                _names[entry.Key] = entry.Value;
            }
        }
    }
}
