using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Encodings;

/// <summary>
/// A fast path of <see cref="JsonRecordEncoding"/> for flat POCOs (classes whose properties are numbers, booleans and
/// strings): reads and writes the common record shape in one pass over the bytes, with typed property accessors, and
/// hands everything else to <see cref="JsonSerializer"/>.
/// </summary>
/// <remarks>
/// <para>The codec gives exactly what <see cref="JsonSerializer"/> gives, or declines (<c>TryRead</c>/<c>TryWrite</c>
/// return <see langword="false"/> and the caller uses the serializer, which then decides, error messages included).</para>
/// <para>It is built only for plain metadata: a class with a public parameterless constructor and no custom converter,
/// callbacks, polymorphism, extension data or required members, each property a <see cref="float"/>,
/// <see cref="double"/>, <see cref="int"/>, <see cref="long"/>, <see cref="bool"/> or <see cref="string"/> without its
/// own converter or number handling, and options without reference handling, ignore conditions or case-insensitive
/// names, a resolver that is the default one without modifiers (which may replace accessors or object creation) or a
/// source-generated context, and no <see cref="JsonSerializerOptions.RespectNullableAnnotations"/>. Reading declines on
/// anything but <c>{"name": value, ...}</c> with known, unescaped names and plain values
/// (no exponent, escape, non-ASCII text or <c>null</c>); writing declines on non-finite numbers and on strings that
/// would need escaping.</para>
/// <para>Numbers are exact: a decimal with at most 7 (float) or 15 (double) significant digits and at most 10 (float) or
/// 15 (double) fraction digits is converted with one correctly rounded division (for float, by Figueroa's theorem, a
/// double quotient of two float-representable integers rounds to the correctly rounded float); floats and doubles are
/// written in the serializer's shortest round-trip form when it is fixed-point with few digits, and by the serializer's
/// own formatter (<see cref="Utf8Formatter"/>) otherwise.</para>
/// </remarks>
internal sealed partial class JsonPocoCodec<T>
{
    private readonly Func<T>? _create;
    private readonly JsonPocoMember<T>[] _readers; // by JSON name, in declaration order (usually the order records have)
    private readonly JsonPocoMember<T>[] _writers; // in serialization order
    private readonly int _writeBudget;

    private readonly InOrderJsonReader<T>? _inOrder;
    private readonly EmittedJsonWriter<T>? _emittedWriter;
    private readonly ulong _allRead;
    private FastPathScore _inOrderScore; // the in-order reader stops being tried when most records are in another order

    private JsonPocoCodec(Func<T>? create, ConstructorInfo? constructor, JsonPocoMember<T>[] readers, JsonPocoMember<T>[] writers)
    {
        _create = create;
        Constructor = constructor;
        _readers = readers;
        _writers = writers;
        // Loops, not LINQ over tuples: a framework generic over (byte[], MethodInfo, MethodInfo) is JIT-compiled at start-up
        // (ReadyToRun cannot precompile an instantiation that contains none of this assembly's types).
        int budget = 2;
        bool allGetters = true;
        foreach (JsonPocoMember<T> writer in writers)
        {
            budget += writer.EscapedName.Length + 1 + writer.MaxValueLength;
            allGetters &= writer.GetMethod is not null;
        }

        _writeBudget = budget;
        if (allGetters)
        {
            var names = new byte[writers.Length][];
            var getters = new MethodInfo[writers.Length];
            var writes = new MethodInfo[writers.Length];
            for (int i = 0; i < writers.Length; i++)
            {
                names[i] = writers[i].EscapedName;
                getters[i] = writers[i].GetMethod!;
                writes[i] = writers[i].WriteMethod;
            }

            _emittedWriter = EmittedJsonWriter<T>.TryCreate(_writeBudget, names, getters, writes);
        }

        if (create is not null && readers.Length is > 0 and <= 64)
        {
            var names = new byte[readers.Length][];
            var reads = new MethodInfo[readers.Length];
            var setters = new MethodInfo[readers.Length];
            for (int i = 0; i < readers.Length; i++)
            {
                names[i] = readers[i].Name.ToArray();
                reads[i] = readers[i].ReadMethod;
                setters[i] = readers[i].SetMethod!;
            }

            _inOrder = InOrderJsonReader<T>.TryCreate(create, constructor, names, reads, setters);
            _allRead = readers.Length == 64 ? ulong.MaxValue : (1UL << readers.Length) - 1;
        }
    }

    /// <summary>Gets a value indicating whether records can be read (the type can be created without arguments).</summary>
    public bool CanRead => _create is not null;

    /// <summary>Builds the codec from the serializer's contract, or returns <see langword="null"/> when the type or options need the serializer.</summary>
    public static JsonPocoCodec<T>? TryCreate(JsonTypeInfo<T> info)
    {
        JsonSerializerOptions options = info.Options;
        if (typeof(T).IsValueType || typeof(T).IsAbstract || info.Kind != JsonTypeInfoKind.Object
            || info.PolymorphismOptions is not null || info.OnSerializing is not null || info.OnSerialized is not null
            || info.OnDeserializing is not null || info.OnDeserialized is not null
            || !HasPlainOptions(options) || !HasPropertyAccessors(options) || HasNumberHandling(info.NumberHandling))
        {
            return null;
        }

        try
        {
            var properties = new List<JsonPocoProperty>();
            foreach (JsonPropertyInfo property in info.Properties)
            {
                if (property.CustomConverter is not null || property.IsExtensionData || property.IsRequired
                    || HasNumberHandling(property.NumberHandling) || property.ShouldSerialize is not null
                    || property.ObjectCreationHandling is not (null or JsonObjectCreationHandling.Replace)
                    || property.AttributeProvider is not PropertyInfo member
                    || options.Converters.Any(c => c.CanConvert(property.PropertyType)))
                {
                    return null;
                }

                properties.Add(new JsonPocoProperty(member, property.Name, property.PropertyType, property.Get is not null, property.Set is not null));
            }

            Func<T>? create = info.CreateObject; // the serializer's own (compiled) constructor call
            return Build(create, DefaultConstructor(info), properties, options);
        }
        catch (Exception ex) when (ex is ArgumentException or MemberAccessException or InvalidOperationException or NotSupportedException)
        {
            return null; // an accessor could not be bound: the serializer does it
        }
    }

    /// <summary>
    /// Builds the codec over the properties the serializer reads and writes, in its order, or returns <see langword="null"/>
    /// when one of them needs the serializer.
    /// </summary>
    private static JsonPocoCodec<T>? Build(Func<T>? create, ConstructorInfo? constructor, List<JsonPocoProperty> properties, JsonSerializerOptions options)
    {
        var readers = new List<JsonPocoMember<T>>();
        var writers = new List<JsonPocoMember<T>>();
        foreach (JsonPocoProperty property in properties)
        {
            if (property.Name.AsSpan().IndexOfAny('"', '\\') >= 0 || HasControlChar(property.Name))
            {
                return null;
            }

            JsonPocoMember<T>? accessor = JsonPocoMember<T>.Create(property.Member, property.Name, property.Type, property.Written, property.Read, options);
            if (accessor is null)
            {
                return null;
            }

            if (property.Read)
            {
                if (!accessor.CanRead)
                {
                    return null;
                }

                readers.Add(accessor);
            }

            if (property.Written)
            {
                if (!accessor.CanWrite)
                {
                    return null;
                }

                writers.Add(accessor);
            }
        }

        return new JsonPocoCodec<T>(create, constructor, [.. readers], [.. writers]);
    }

    /// <summary>
    /// Whether the options leave the codec's rules in force: no reference handling, ignore conditions, case-insensitive
    /// names, population, duplicate-property errors, nullable annotations or number handling.
    /// </summary>
    private static bool HasPlainOptions(JsonSerializerOptions options) =>
        options.ReferenceHandler is null && !options.PropertyNameCaseInsensitive
        && options.DefaultIgnoreCondition == JsonIgnoreCondition.Never && !options.IgnoreReadOnlyProperties && !options.IgnoreReadOnlyFields
        && options.PreferredObjectCreationHandling == JsonObjectCreationHandling.Replace
        && options.AllowDuplicateProperties && !options.RespectNullableAnnotations
        && !HasNumberHandling(options.NumberHandling);

    /// <summary>Gets the readers (by JSON name, in the serializer's order) and writers (in serialization order), for tests.</summary>
    internal JsonPocoMember<T>[] Readers => _readers;

    /// <inheritdoc cref="Readers"/>
    internal JsonPocoMember<T>[] Writers => _writers;

    /// <summary>Gets the constructor the emitted reader calls directly, if any (for tests).</summary>
    internal ConstructorInfo? Constructor { get; private init; }

    /// <summary>Reads a record, or declines (the serializer then reads it, or reports why it cannot).</summary>
    public bool TryRead(ReadOnlySpan<byte> json, out T value) => TryRead(json, out value, out _, out _);

    /// <summary>
    /// Reads a record and, when it is read, proves it valid against the schema the codec was bound to by
    /// <see cref="BindReader"/>: <see langword="true"/> only when the record is valid and <paramref name="value"/> is what
    /// the serializer would give; otherwise the caller checks and decodes the record the usual way.
    /// </summary>
    public bool TryReadValid(ReadOnlySpan<byte> json, ulong required, out T value) =>
        TryRead(json, out value, out ulong seen, out bool duplicate) && !duplicate && (seen & required) == required;

    private bool TryRead(ReadOnlySpan<byte> json, out T value, out ulong seen, out bool duplicate)
    {
        if (_inOrder is { } inOrder && _inOrderScore.Tried)
        {
            // Most records have the properties in declaration order: one emitted method reads those (the same pieces, so
            // the same result). Anything else is read by the loop below; when that is common, the in-order reader stops.
            if (inOrder.TryRead(json, out T? read))
            {
                value = read!;
                seen = _allRead;
                duplicate = false;
                _inOrderScore.Hit();
                return true;
            }

            _inOrderScore.Miss();
        }

        return TryReadAnyOrder(json, out value, out seen, out duplicate);
    }

    /// <summary>Gets the reader of records in declaration order, if one could be emitted (for tests).</summary>
    internal InOrderJsonReader<T>? InOrderReader => _inOrder;

    /// <summary>Gets a value indicating whether records are tried with the in-order reader first (until too many are not in order).</summary>
    internal bool TriesInOrder => _inOrder is not null && _inOrderScore.Tried;

    /// <summary>Gets the mask of every reader's bit in <c>seen</c>.</summary>
    internal ulong AllRead => _allRead;

    /// <summary>Reads a record whatever the order of its keys: each key is looked up.</summary>
    internal bool TryReadAnyOrder(ReadOnlySpan<byte> json, out T value, out ulong seen, out bool duplicate)
    {
        value = default!;
        seen = 0;
        duplicate = false;
        if (_create is null)
        {
            return false;
        }

        int pos = SkipWhitespace(json, 0);
        if (pos >= json.Length || json[pos] != (byte)'{')
        {
            return false;
        }

        T result = _create();
        pos = SkipWhitespace(json, pos + 1);
        if (pos < json.Length && json[pos] == (byte)'}')
        {
            pos++;
        }
        else
        {
            JsonPocoMember<T>[] readers = _readers;
            int expected = 0;
            while (true)
            {
                if (pos >= json.Length || json[pos] != (byte)'"')
                {
                    return false;
                }

                // A key that starts with a property's name and its closing quote is that property (the expected one first).
                ReadOnlySpan<byte> key = json[(pos + 1)..];
                int index = expected < readers.Length && key.StartsWith(readers[expected].QuotedName) ? expected : Find(readers, key);
                if (index < 0)
                {
                    return false; // not a property of T, or an escaped name: the serializer decides
                }

                expected = index + 1;
                ulong bit = 1UL << (index & 63); // readers beyond 64 share bits: such codecs are never bound to a schema
                duplicate |= (seen & bit) != 0;
                seen |= bit;
                pos = SkipWhitespace(json, pos + 1 + readers[index].QuotedName.Length);
                if (pos >= json.Length || json[pos] != (byte)':')
                {
                    return false;
                }

                pos = SkipWhitespace(json, pos + 1);
                if (!readers[index].TryRead(result, json, ref pos))
                {
                    return false;
                }

                pos = SkipWhitespace(json, pos);
                if (pos >= json.Length)
                {
                    return false;
                }

                if (json[pos] == (byte)',')
                {
                    pos = SkipWhitespace(json, pos + 1);
                    continue;
                }

                if (json[pos] != (byte)'}')
                {
                    return false;
                }

                pos++;
                break;
            }
        }

        if (SkipWhitespace(json, pos) != json.Length)
        {
            return false;
        }

        value = result;
        return true;
    }

    /// <summary>Writes a value, or declines without writing anything (the serializer then writes it).</summary>
    public bool TryWrite(T value, IBufferWriter<byte> output) => TryWrite(value, output, strict: false);

    /// <summary>
    /// Writes a value that is valid, by construction, against the schema the codec was bound to by
    /// <see cref="BindWriter"/>, or declines without writing anything (a <see langword="null"/> string, a non-finite
    /// number...): the caller then encodes and checks the value the usual way.
    /// </summary>
    public bool TryWriteValid(T value, IBufferWriter<byte> output) => TryWrite(value, output, strict: true);

    private bool TryWrite(T value, IBufferWriter<byte> output, bool strict)
    {
        if (value is null)
        {
            return false;
        }

        if (_emittedWriter is { } emitted)
        {
            int written = emitted.Write(value, output.GetSpan(_writeBudget), strict);
            if (written < 0)
            {
                return false;
            }

            output.Advance(written);
            return true;
        }

        return TryWriteLoop(value, output, strict);
    }

    /// <summary>Gets the writer emitted for the type, if one could be (for tests).</summary>
    internal EmittedJsonWriter<T>? EmittedWriter => _emittedWriter;

    /// <summary>Writes a value with the general loop (a delegate per property), or declines without writing anything.</summary>
    internal bool TryWriteLoop(T value, IBufferWriter<byte> output, bool strict)
    {
        if (value is null)
        {
            return false;
        }

        Span<byte> span = output.GetSpan(_writeBudget);
        int pos = 0;
        span[pos++] = (byte)'{';
        JsonPocoMember<T>[] writers = _writers;
        for (int i = 0; i < writers.Length; i++)
        {
            if (i > 0)
            {
                span[pos++] = (byte)',';
            }

            JsonPocoMember<T> member = writers[i];
            member.EscapedName.CopyTo(span[pos..]);
            pos += member.EscapedName.Length;
            if (!member.TryWrite(value, span, ref pos, strict))
            {
                return false;
            }
        }

        span[pos++] = (byte)'}';
        output.Advance(pos);
        return true;
    }

    private static int Find(JsonPocoMember<T>[] members, ReadOnlySpan<byte> key)
    {
        for (int i = 0; i < members.Length; i++)
        {
            if (key.StartsWith(members[i].QuotedName))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The parameterless constructor the serializer's <see cref="JsonTypeInfo.CreateObject"/> calls, when the contract is
    /// the default resolver's own (no modifier could have replaced it) and code may be emitted (only the emitted reader
    /// calls it directly); <see langword="null"/> otherwise.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2090", Justification = "Only the emitted reader calls the constructor directly; when trimming removed its metadata, GetConstructor returns null and the reader calls the contract's CreateObject instead.")]
    private static ConstructorInfo? DefaultConstructor(JsonTypeInfo<T> info) =>
        info.CreateObject is not null && IsUnmodifiedDefaultResolver(info.Options) && EmittedCode.IsEnabled
            ? typeof(T).GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes)
            : null;

    private static bool IsUnmodifiedDefaultResolver(JsonSerializerOptions options) =>
        options.TypeInfoResolver is DefaultJsonTypeInfoResolver resolver && resolver.GetType() == typeof(DefaultJsonTypeInfoResolver) && resolver.Modifiers.Count == 0;

    /// <summary>
    /// Whether each property's contract reads and writes the property itself, as the codec does through its accessors:
    /// true for the default resolver without modifiers and for a source-generated context; a modifier (or another
    /// resolver) may have replaced a property's getter or setter, so the serializer handles those types.
    /// </summary>
    private static bool HasPropertyAccessors(JsonSerializerOptions options) =>
        IsUnmodifiedDefaultResolver(options) || options.TypeInfoResolver is JsonSerializerContext;

    private static bool HasControlChar(string name)
    {
        foreach (char c in name)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasNumberHandling(JsonNumberHandling? handling) => handling is { } h && h != JsonNumberHandling.Strict;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> json, int pos) => JsonPocoReading.SkipWhitespace(json, pos);
}

/// <summary>One property as the serializer's contract has it: the member, its JSON name and type, and whether it is written (getter) and read (setter).</summary>
internal readonly struct JsonPocoProperty(PropertyInfo member, string name, Type type, bool written, bool read)
{
    public PropertyInfo Member { get; } = member;

    public string Name { get; } = name;

    public Type Type { get; } = type;

    public bool Written { get; } = written;

    public bool Read { get; } = read;
}
