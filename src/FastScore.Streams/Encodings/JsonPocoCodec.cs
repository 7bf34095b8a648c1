using System.Buffers;
using System.Buffers.Text;
using System.Linq.Expressions;
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
internal sealed class JsonPocoCodec<T>
{
    private readonly Func<T>? _create;
    private readonly Member[] _readers; // by JSON name, in declaration order (usually the order records have)
    private readonly Member[] _writers; // in serialization order
    private readonly int _writeBudget;

    private readonly InOrderJsonReader<T>? _inOrder;
    private readonly EmittedJsonWriter<T>? _emittedWriter;
    private readonly ulong _allRead;
    private FastPathScore _inOrderScore; // the in-order reader stops being tried when most records are in another order

    private JsonPocoCodec(Func<T>? create, ConstructorInfo? constructor, Member[] readers, Member[] writers)
    {
        _create = create;
        _readers = readers;
        _writers = writers;
        _writeBudget = 2 + writers.Sum(w => w.EscapedName.Length + 1 + w.MaxValueLength);
        if (writers.All(w => w.GetMethod is not null))
        {
            _emittedWriter = EmittedJsonWriter<T>.TryCreate(_writeBudget, [.. writers.Select(w => (w.EscapedName, w.GetMethod!, w.WriteMethod))]);
        }

        if (create is not null && readers.Length is > 0 and <= 64)
        {
            _inOrder = InOrderJsonReader<T>.TryCreate(create, constructor, [.. readers.Select(r => (r.Name.ToArray(), r.ReadMethod, r.SetMethod!))]);
            _allRead = readers.Length == 64 ? ulong.MaxValue : (1UL << readers.Length) - 1;
        }
    }

    /// <summary>Gets a value indicating whether records can be read (the type can be created without arguments).</summary>
    public bool CanRead => _create is not null;

    /// <summary>Builds the codec, or returns <see langword="null"/> when the type or options need the serializer.</summary>
    public static JsonPocoCodec<T>? TryCreate(JsonTypeInfo<T> info)
    {
        JsonSerializerOptions options = info.Options;
        if (typeof(T).IsValueType || typeof(T).IsAbstract || info.Kind != JsonTypeInfoKind.Object
            || info.PolymorphismOptions is not null || info.OnSerializing is not null || info.OnSerialized is not null
            || info.OnDeserializing is not null || info.OnDeserialized is not null
            || options.ReferenceHandler is not null || options.PropertyNameCaseInsensitive
            || options.DefaultIgnoreCondition != JsonIgnoreCondition.Never || options.IgnoreReadOnlyProperties || options.IgnoreReadOnlyFields
            || options.PreferredObjectCreationHandling != JsonObjectCreationHandling.Replace
            || !options.AllowDuplicateProperties || options.RespectNullableAnnotations
            || !HasPropertyAccessors(options)
            || HasNumberHandling(info.NumberHandling) || HasNumberHandling(options.NumberHandling))
        {
            return null;
        }

        try
        {
            var readers = new List<Member>();
            var writers = new List<Member>();
            foreach (JsonPropertyInfo property in info.Properties)
            {
                if (property.CustomConverter is not null || property.IsExtensionData || property.IsRequired
                    || property.Name.AsSpan().IndexOfAny('"', '\\') >= 0 || property.Name.Any(char.IsControl)
                    || HasNumberHandling(property.NumberHandling) || property.ShouldSerialize is not null
                    || property.ObjectCreationHandling is not (null or JsonObjectCreationHandling.Replace)
                    || property.AttributeProvider is not PropertyInfo member
                    || options.Converters.Any(c => c.CanConvert(property.PropertyType)))
                {
                    return null;
                }

                Member? accessor = Member.Create(member, property, options);
                if (accessor is null)
                {
                    return null;
                }

                if (property.Set is not null)
                {
                    if (!accessor.CanRead)
                    {
                        return null;
                    }

                    readers.Add(accessor);
                }

                if (property.Get is not null)
                {
                    if (!accessor.CanWrite)
                    {
                        return null;
                    }

                    writers.Add(accessor);
                }
            }

            Func<T>? create = info.CreateObject; // the serializer's own (compiled) constructor call
            return new JsonPocoCodec<T>(create, DefaultConstructor(info), [.. readers], [.. writers]);
        }
        catch (Exception ex) when (ex is ArgumentException or MemberAccessException or InvalidOperationException or NotSupportedException)
        {
            return null; // an accessor could not be bound: the serializer does it
        }
    }

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
            Member[] readers = _readers;
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
        Member[] writers = _writers;
        for (int i = 0; i < writers.Length; i++)
        {
            if (i > 0)
            {
                span[pos++] = (byte)',';
            }

            Member member = writers[i];
            member.EscapedName.CopyTo(span[pos..]);
            pos += member.EscapedName.Length;
            if (!(strict ? member.TryWriteStrict(value, span, ref pos) : member.TryWrite(value, span, ref pos)))
            {
                return false;
            }
        }

        span[pos++] = (byte)'}';
        output.Advance(pos);
        return true;
    }

    /// <summary>
    /// Binds reading to the schema records are checked against (<see langword="null"/>: JSON syntax only), for
    /// <see cref="TryReadValid"/>. Returns the mask of required fields by reader index, or <see langword="null"/> when a
    /// record the codec reads is not certainly valid against the schema (then every record is checked as usual).
    /// </summary>
    /// <remarks>
    /// A record the codec reads has only keys that are properties of <typeparamref name="T"/>, each once when the mask
    /// says so, with plain values of the property's JSON type. It is valid when every property is a field of the record
    /// schema whose (primitive, non-logical) type accepts every such value, and every required field is a property.
    /// </remarks>
    public ulong? BindReader(Avro.Schema? schema)
    {
        if (_create is null || _readers.Length > 64)
        {
            return null;
        }

        if (schema is null)
        {
            // JSON syntax only: what the codec reads is valid JSON, unless it is a control record's key.
            return _readers.Any(r => r.Name.SequenceEqual("$fastscore"u8)) ? null : 0;
        }

        if (schema is not Avro.RecordSchema record)
        {
            return null;
        }

        ulong required = 0;
        var bound = new bool[record.Fields.Count];
        for (int i = 0; i < _readers.Length; i++)
        {
            int field = FieldIndex(record, _readers[i]);
            if (field < 0 || !Accepts(record.Fields[field].Schema, _readers[i].ValueType, reading: true))
            {
                return null;
            }

            bound[field] = true;
            if (!IsOptional(record.Fields[field]))
            {
                required |= 1UL << i;
            }
        }

        return AllRequiredBound(record, bound) ? required : null;
    }

    /// <summary>
    /// Whether every value <see cref="TryWriteValid"/> writes is valid against <paramref name="schema"/> (the schema output
    /// records are checked against; <see langword="null"/>: JSON syntax only): each property is a field of the record
    /// schema whose (primitive, non-logical) type accepts every value the property can hold, and every required field is
    /// a property.
    /// </summary>
    public bool BindWriter(Avro.Schema? schema)
    {
        if (schema is null)
        {
            return true;
        }

        if (schema is not Avro.RecordSchema record)
        {
            return false;
        }

        var bound = new bool[record.Fields.Count];
        foreach (Member writer in _writers)
        {
            int field = FieldIndex(record, writer);
            if (field < 0 || bound[field] || !Accepts(record.Fields[field].Schema, writer.ValueType, reading: false))
            {
                return false;
            }

            bound[field] = true;
        }

        return AllRequiredBound(record, bound);
    }

    private static int FieldIndex(Avro.RecordSchema record, Member member)
    {
        for (int i = 0; i < record.Fields.Count; i++)
        {
            if (member.Name.SequenceEqual(Encoding.UTF8.GetBytes(record.Fields[i].Name)))
            {
                return i;
            }
        }

        return -1;
    }

    // As the schema checker decides it: a field with a default, or whose type accepts null, may be left out.
    private static bool IsOptional(Avro.Field field) =>
        field.DefaultValue is not null || field.Schema.Tag == Avro.Schema.Type.Null
        || (field.Schema is Avro.UnionSchema union && union.Schemas.Any(s => s.Tag == Avro.Schema.Type.Null));

    private static bool AllRequiredBound(Avro.RecordSchema record, bool[] bound)
    {
        for (int i = 0; i < bound.Length; i++)
        {
            if (!bound[i] && !IsOptional(record.Fields[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether an Avro field type accepts every JSON value the codec reads into (or writes from) a property of
    /// <paramref name="type"/>: reads are plain decimals of at most 7 (float) or 15 (double) significant digits and
    /// integers of at most 9 (int) or 18 (long) digits; writes are any finite float, double, int or long.
    /// </summary>
    private static bool Accepts(Avro.Schema field, Type type, bool reading)
    {
        if (field is not Avro.PrimitiveSchema primitive)
        {
            return false; // logical types (ranges), unions, nested types: checked as usual
        }

        Avro.Schema.Type tag = primitive.Tag;
        bool floating = tag is Avro.Schema.Type.Float or Avro.Schema.Type.Double;
        return type == typeof(float) ? floating
            : type == typeof(double) ? tag == Avro.Schema.Type.Double || (reading && tag == Avro.Schema.Type.Float)
            : type == typeof(int) ? floating || tag is Avro.Schema.Type.Int or Avro.Schema.Type.Long
            : type == typeof(long) ? floating || tag == Avro.Schema.Type.Long
            : type == typeof(bool) ? tag == Avro.Schema.Type.Boolean
            : type == typeof(string) && tag == Avro.Schema.Type.String;
    }

    private static int Find(Member[] members, ReadOnlySpan<byte> key)
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
    /// the default resolver's own (no modifier could have replaced it); <see langword="null"/> otherwise.
    /// </summary>
    private static ConstructorInfo? DefaultConstructor(JsonTypeInfo<T> info) =>
        info.CreateObject is not null && IsUnmodifiedDefaultResolver(info.Options)
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

    private static bool HasNumberHandling(JsonNumberHandling? handling) => handling is { } h && h != JsonNumberHandling.Strict;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> json, int pos) => JsonPocoReading.SkipWhitespace(json, pos);

    /// <summary>One property: its names and typed accessors.</summary>
    private abstract class Member(PropertyNames names)
    {
        /// <summary>Gets the JSON name as UTF-8 followed by its closing quote (as it appears unescaped in a record).</summary>
        public byte[] QuotedName { get; } = [.. names.Name, (byte)'"'];

        /// <summary>Gets <c>"name":</c> as the serializer writes it (escaped by the options' encoder).</summary>
        public byte[] EscapedName { get; } = names.Escaped;

        public abstract int MaxValueLength { get; }

        /// <summary>Gets the property's setter, if it has one the serializer uses.</summary>
        public MethodInfo? SetMethod { get; } = names.Set;

        /// <summary>Gets the <see cref="JsonPocoReading"/> method that reads the property's value: <c>bool (ReadOnlySpan&lt;byte&gt;, ref int, out TValue)</c>.</summary>
        public abstract MethodInfo ReadMethod { get; }

        /// <summary>Gets the property's getter, if it has one the serializer uses.</summary>
        public MethodInfo? GetMethod { get; } = names.Get;

        /// <summary>Gets the <see cref="JsonPocoWriting"/> method that writes the property's value: <c>bool (TValue, Span&lt;byte&gt;, ref int, bool strict)</c>.</summary>
        public abstract MethodInfo WriteMethod { get; }

        public abstract bool CanRead { get; }

        public abstract bool CanWrite { get; }

        public static Member? Create(PropertyInfo property, JsonPropertyInfo info, JsonSerializerOptions options)
        {
            Type type = info.PropertyType;
            MethodInfo? get = info.Get is null ? null : property.GetMethod;
            MethodInfo? set = info.Set is null ? null : property.SetMethod;
            var names = new PropertyNames(Encoding.UTF8.GetBytes(info.Name), EscapedPropertyName(info.Name, options), get, set);
            return type == typeof(float) ? new SingleMember(names, Bind<float>(get), BindSet<float>(set))
                : type == typeof(double) ? new DoubleMember(names, Bind<double>(get), BindSet<double>(set))
                : type == typeof(int) ? new Int32Member(names, Bind<int>(get), BindSet<int>(set))
                : type == typeof(long) ? new Int64Member(names, Bind<long>(get), BindSet<long>(set))
                : type == typeof(bool) ? new BooleanMember(names, Bind<bool>(get), BindSet<bool>(set))
                : type == typeof(string) && options.Encoder is null ? new StringMember(names, Bind<string?>(get), BindSet<string?>(set))
                : null;
        }

        public abstract bool TryRead(T target, ReadOnlySpan<byte> json, ref int pos);

        public abstract bool TryWrite(T source, Span<byte> output, ref int pos);

        /// <summary>Writes the value only when it is a value of the property's JSON type (a <see langword="null"/> string is not).</summary>
        public virtual bool TryWriteStrict(T source, Span<byte> output, ref int pos) => TryWrite(source, output, ref pos);

        /// <summary>Gets the JSON name (UTF-8, without the closing quote).</summary>
        public ReadOnlySpan<byte> Name => QuotedName.AsSpan(0, QuotedName.Length - 1);

        /// <summary>Gets the property's type.</summary>
        public abstract Type ValueType { get; }

        // Accessors are compiled lambdas when the runtime compiles dynamic code: a closed delegate is a plain call, where a
        // delegate bound straight to the accessor (open instance) goes through a shuffle thunk on every call.
        private static Func<T, TValue>? Bind<TValue>(MethodInfo? get)
        {
            if (get is null)
            {
                return null;
            }

            if (!RuntimeFeature.IsDynamicCodeCompiled)
            {
                return (Func<T, TValue>)Delegate.CreateDelegate(typeof(Func<T, TValue>), get);
            }

            ParameterExpression source = Expression.Parameter(typeof(T), "source");
            return Expression.Lambda<Func<T, TValue>>(Expression.Call(source, get), source).Compile();
        }

        private static Action<T, TValue>? BindSet<TValue>(MethodInfo? set)
        {
            if (set is null)
            {
                return null;
            }

            if (!RuntimeFeature.IsDynamicCodeCompiled)
            {
                return (Action<T, TValue>)Delegate.CreateDelegate(typeof(Action<T, TValue>), set);
            }

            ParameterExpression target = Expression.Parameter(typeof(T), "target");
            ParameterExpression value = Expression.Parameter(typeof(TValue), "value");
            return Expression.Lambda<Action<T, TValue>>(Expression.Call(target, set, value), target, value).Compile();
        }

        private static byte[] EscapedPropertyName(string name, JsonSerializerOptions options)
        {
            var buffer = new ArrayBufferWriter<byte>(64);
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder }))
            {
                writer.WriteStartObject();
                writer.WritePropertyName(name);
                writer.WriteNullValue();
                writer.WriteEndObject();
            }

            // {"name":null} → "name":
            return buffer.WrittenSpan[1..^5].ToArray();
        }
    }

    private readonly record struct PropertyNames(byte[] Name, byte[] Escaped, MethodInfo? Get, MethodInfo? Set);

    private sealed class SingleMember(PropertyNames names, Func<T, float>? get, Action<T, float>? set) : Member(names)
    {
        public override Type ValueType => typeof(float);

        public override int MaxValueLength => JsonNumbers.MaxSingleLength;

        public override bool CanRead => set is not null;

        public override bool CanWrite => get is not null;

        public override MethodInfo ReadMethod => JsonPocoReading.Methods.Single;

        public override bool TryRead(T target, ReadOnlySpan<byte> json, ref int pos)
        {
            if (!JsonPocoReading.TryReadSingle(json, ref pos, out float value))
            {
                return false;
            }

            set!(target, value);
            return true;
        }

        public override MethodInfo WriteMethod => JsonPocoWriting.Methods.Single;

        public override bool TryWrite(T source, Span<byte> output, ref int pos) => JsonPocoWriting.TryWriteSingle(get!(source), output, ref pos);
    }

    private sealed class DoubleMember(PropertyNames names, Func<T, double>? get, Action<T, double>? set) : Member(names)
    {
        public override Type ValueType => typeof(double);

        public override int MaxValueLength => JsonNumbers.MaxDoubleLength;

        public override bool CanRead => set is not null;

        public override bool CanWrite => get is not null;

        public override MethodInfo ReadMethod => JsonPocoReading.Methods.Double;

        public override bool TryRead(T target, ReadOnlySpan<byte> json, ref int pos)
        {
            if (!JsonPocoReading.TryReadDouble(json, ref pos, out double value))
            {
                return false;
            }

            set!(target, value);
            return true;
        }

        public override MethodInfo WriteMethod => JsonPocoWriting.Methods.Double;

        public override bool TryWrite(T source, Span<byte> output, ref int pos) => JsonPocoWriting.TryWriteDouble(get!(source), output, ref pos);
    }

    private sealed class Int32Member(PropertyNames names, Func<T, int>? get, Action<T, int>? set) : Member(names)
    {
        public override Type ValueType => typeof(int);

        public override int MaxValueLength => 11;

        public override bool CanRead => set is not null;

        public override bool CanWrite => get is not null;

        public override MethodInfo ReadMethod => JsonPocoReading.Methods.Int32;

        public override bool TryRead(T target, ReadOnlySpan<byte> json, ref int pos)
        {
            if (!JsonPocoReading.TryReadInt32(json, ref pos, out int value))
            {
                return false;
            }

            set!(target, value);
            return true;
        }

        public override MethodInfo WriteMethod => JsonPocoWriting.Methods.Int32;

        public override bool TryWrite(T source, Span<byte> output, ref int pos) => JsonPocoWriting.TryWriteInt32(get!(source), output, ref pos);
    }

    private sealed class Int64Member(PropertyNames names, Func<T, long>? get, Action<T, long>? set) : Member(names)
    {
        public override Type ValueType => typeof(long);

        public override int MaxValueLength => 20;

        public override bool CanRead => set is not null;

        public override bool CanWrite => get is not null;

        public override MethodInfo ReadMethod => JsonPocoReading.Methods.Int64;

        public override bool TryRead(T target, ReadOnlySpan<byte> json, ref int pos)
        {
            if (!JsonPocoReading.TryReadInt64(json, ref pos, out long value))
            {
                return false;
            }

            set!(target, value);
            return true;
        }

        public override MethodInfo WriteMethod => JsonPocoWriting.Methods.Int64;

        public override bool TryWrite(T source, Span<byte> output, ref int pos) => JsonPocoWriting.TryWriteInt64(get!(source), output, ref pos);
    }

    private sealed class BooleanMember(PropertyNames names, Func<T, bool>? get, Action<T, bool>? set) : Member(names)
    {
        public override Type ValueType => typeof(bool);

        public override int MaxValueLength => 5;

        public override bool CanRead => set is not null;

        public override bool CanWrite => get is not null;

        public override MethodInfo ReadMethod => JsonPocoReading.Methods.Boolean;

        public override bool TryRead(T target, ReadOnlySpan<byte> json, ref int pos)
        {
            if (!JsonPocoReading.TryReadBoolean(json, ref pos, out bool value))
            {
                return false;
            }

            set!(target, value);
            return true;
        }

        public override MethodInfo WriteMethod => JsonPocoWriting.Methods.Boolean;

        public override bool TryWrite(T source, Span<byte> output, ref int pos) => JsonPocoWriting.TryWriteBoolean(get!(source), output, ref pos);
    }

    private sealed class StringMember(PropertyNames names, Func<T, string?>? get, Action<T, string?>? set) : Member(names)
    {
        public override Type ValueType => typeof(string);

        public override int MaxValueLength => JsonPocoWriting.MaxStringLength + 2;

        public override bool CanRead => set is not null;

        public override bool CanWrite => get is not null;

        public override MethodInfo ReadMethod => JsonPocoReading.Methods.String;

        public override bool TryRead(T target, ReadOnlySpan<byte> json, ref int pos)
        {
            if (!JsonPocoReading.TryReadString(json, ref pos, out string? value))
            {
                return false;
            }

            set!(target, value);
            return true;
        }

        public override MethodInfo WriteMethod => JsonPocoWriting.Methods.String;

        public override bool TryWriteStrict(T source, Span<byte> output, ref int pos) => JsonPocoWriting.TryWriteString(get!(source), output, ref pos, strict: true);

        public override bool TryWrite(T source, Span<byte> output, ref int pos) => JsonPocoWriting.TryWriteString(get!(source), output, ref pos, strict: false);
    }
}
