using System.Buffers;
using System.Reflection;
using System.Reflection.Emit;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Encodings;

/// <summary>One property of a <see cref="JsonPocoCodec{T}"/>: its names and typed accessors.</summary>
/// <typeparam name="T">The record type.</typeparam>
internal abstract class JsonPocoMember<T>
{
    private protected JsonPocoMember(byte[] name, byte[] escapedName, MethodInfo? getMethod, MethodInfo? setMethod)
    {
        QuotedName = [.. name, (byte)'"'];
        EscapedName = escapedName;
        GetMethod = getMethod;
        SetMethod = setMethod;
    }

    /// <summary>Gets the JSON name as UTF-8 followed by its closing quote (as it appears unescaped in a record).</summary>
    public byte[] QuotedName { get; }

    /// <summary>Gets the JSON name (UTF-8, without the closing quote).</summary>
    public ReadOnlySpan<byte> Name => QuotedName.AsSpan(0, QuotedName.Length - 1);

    /// <summary>Gets <c>"name":</c> as the serializer writes it (escaped by the options' encoder).</summary>
    public byte[] EscapedName { get; }

    /// <summary>Gets the property's setter, if it has one the serializer uses.</summary>
    public MethodInfo? SetMethod { get; }

    /// <summary>Gets the property's getter, if it has one the serializer uses.</summary>
    public MethodInfo? GetMethod { get; }

    /// <summary>Gets the property's type.</summary>
    public abstract Type ValueType { get; }

    /// <summary>Gets the most bytes the property's value takes when the codec writes it.</summary>
    public abstract int MaxValueLength { get; }

    /// <summary>Gets the <see cref="JsonPocoReading"/> method that reads the property's value: <c>bool (ReadOnlySpan&lt;byte&gt;, ref int, out TValue)</c>.</summary>
    public abstract MethodInfo ReadMethod { get; }

    /// <summary>Gets the <see cref="JsonPocoWriting"/> method that writes the property's value: <c>bool (TValue, Span&lt;byte&gt;, ref int[, bool strict])</c>.</summary>
    public abstract MethodInfo WriteMethod { get; }

    public abstract bool CanRead { get; }

    public abstract bool CanWrite { get; }

    /// <summary>Creates the member of a property of a supported type (float, double, int, long, bool, string), or returns <see langword="null"/>.</summary>
    public static JsonPocoMember<T>? Create(PropertyInfo property, JsonPropertyInfo info, JsonSerializerOptions options) =>
        Create(property, info.Name, info.PropertyType, info.Get is not null, info.Set is not null, options);

    /// <summary>
    /// Creates the member of a property of a supported type (float, double, int, long, bool, string), or returns
    /// <see langword="null"/>: <paramref name="jsonName"/> is its JSON name, <paramref name="written"/> and <paramref name="read"/>
    /// whether the serializer reads its getter and calls its setter.
    /// </summary>
    public static JsonPocoMember<T>? Create(PropertyInfo property, string jsonName, Type type, bool written, bool read, JsonSerializerOptions options)
    {
        MethodInfo? get = written ? property.GetMethod : null;
        MethodInfo? set = read ? property.SetMethod : null;
        byte[] name = Encoding.UTF8.GetBytes(jsonName);
        byte[] escaped = EscapedPropertyName(jsonName, options);
        return type == typeof(float) ? new JsonPocoMember<T, float, JsonValueFormats.Single>(name, escaped, get, set)
            : type == typeof(double) ? new JsonPocoMember<T, double, JsonValueFormats.Double>(name, escaped, get, set)
            : type == typeof(int) ? new JsonPocoMember<T, int, JsonValueFormats.Int32>(name, escaped, get, set)
            : type == typeof(long) ? new JsonPocoMember<T, long, JsonValueFormats.Int64>(name, escaped, get, set)
            : type == typeof(bool) ? new JsonPocoMember<T, bool, JsonValueFormats.Boolean>(name, escaped, get, set)
            : type == typeof(string) && options.Encoder is null ? new JsonPocoMember<T, string?, JsonValueFormats.String>(name, escaped, get, set)
            : null;
    }

    /// <summary>Reads the property's value at <paramref name="pos"/> into <paramref name="target"/>, or declines.</summary>
    public abstract bool TryRead(T target, ReadOnlySpan<byte> json, ref int pos);

    /// <summary>
    /// Writes the property's value at <paramref name="pos"/>, or declines; when <paramref name="strict"/>, only a value of
    /// the property's JSON type is written (a <see langword="null"/> string is not).
    /// </summary>
    public abstract bool TryWrite(T source, Span<byte> output, ref int pos, bool strict);

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

/// <summary>A property of type <typeparamref name="TValue"/>, read and written in the format <typeparamref name="TFormat"/>.</summary>
internal sealed class JsonPocoMember<T, TValue, TFormat> : JsonPocoMember<T>
    where TFormat : struct, IJsonValueFormat<TValue>
{
    private static readonly object s_closure = new();

    private readonly Func<T, TValue>? _get;
    private readonly Action<T, TValue>? _set;

    public JsonPocoMember(byte[] name, byte[] escapedName, MethodInfo? getMethod, MethodInfo? setMethod)
        : base(name, escapedName, getMethod, setMethod)
    {
        if (EmittedCode.IsSupported && EmittedCode.IsAllowed)
        {
            _get = CompileGet(getMethod);
            _set = CompileSet(setMethod);
        }
        else
        {
            _get = BindGet(getMethod);
            _set = BindSet(setMethod);
        }
    }

    public override Type ValueType => typeof(TValue);

    public override int MaxValueLength => TFormat.MaxLength;

    public override MethodInfo ReadMethod => TFormat.ReadMethod;

    public override MethodInfo WriteMethod => TFormat.WriteMethod;

    public override bool CanRead => _set is not null;

    public override bool CanWrite => _get is not null;

    public override bool TryRead(T target, ReadOnlySpan<byte> json, ref int pos)
    {
        if (!TFormat.TryRead(json, ref pos, out TValue value))
        {
            return false;
        }

        _set!(target, value);
        return true;
    }

    public override bool TryWrite(T source, Span<byte> output, ref int pos, bool strict) => TFormat.TryWrite(_get!(source), output, ref pos, strict);

    // Accessors are delegates bound straight to the accessor (open instance), or emitted methods when code may be emitted:
    // a closed delegate is a plain call, where an open instance delegate goes through a shuffle thunk on every call.
    private static Func<T, TValue>? BindGet(MethodInfo? get) =>
        get is null ? null : (Func<T, TValue>)Delegate.CreateDelegate(typeof(Func<T, TValue>), get);

    private static Action<T, TValue>? BindSet(MethodInfo? set) =>
        set is null ? null : (Action<T, TValue>)Delegate.CreateDelegate(typeof(Action<T, TValue>), set);

    // Emitted accessors (a DynamicMethod calling the getter or setter, closed over a placeholder target so a call is a
    // plain call): what a compiled lambda gives, without building and compiling an expression tree at start-up. The method
    // is JIT-compiled on its first call, i.e. only when a record takes the general loop.
    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private static Func<T, TValue>? CompileGet(MethodInfo? get)
    {
        if (get is null)
        {
            return null;
        }

        var method = new DynamicMethod("Get_" + get.Name, typeof(TValue), [typeof(object), typeof(T)], typeof(JsonPocoMember<T>).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Callvirt, get);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Func<T, TValue>>(s_closure);
    }

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private static Action<T, TValue>? CompileSet(MethodInfo? set)
    {
        if (set is null)
        {
            return null;
        }

        var method = new DynamicMethod("Set_" + set.Name, typeof(void), [typeof(object), typeof(T), typeof(TValue)], typeof(JsonPocoMember<T>).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Callvirt, set);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Action<T, TValue>>(s_closure);
    }
}

/// <summary>How a property type's values are read and written: the <see cref="JsonPocoReading"/> and <see cref="JsonPocoWriting"/> pieces for it.</summary>
/// <typeparam name="TValue">The property type.</typeparam>
internal interface IJsonValueFormat<TValue>
{
    /// <summary>Gets the most bytes a value takes.</summary>
    static abstract int MaxLength { get; }

    /// <summary>Gets the reading method emitted readers call.</summary>
    static abstract MethodInfo ReadMethod { get; }

    /// <summary>Gets the writing method emitted writers call.</summary>
    static abstract MethodInfo WriteMethod { get; }

    /// <summary>Reads a value, or declines.</summary>
    static abstract bool TryRead(ReadOnlySpan<byte> json, ref int pos, out TValue value);

    /// <summary>Writes a value, or declines (see <see cref="JsonPocoMember{T}.TryWrite"/>).</summary>
    static abstract bool TryWrite(TValue value, Span<byte> output, ref int pos, bool strict);
}

/// <summary>The formats of the property types the codec handles.</summary>
internal static class JsonValueFormats
{
    public readonly struct Single : IJsonValueFormat<float>
    {
        public static int MaxLength => JsonNumbers.MaxSingleLength;

        public static MethodInfo ReadMethod => JsonPocoReading.Methods.Single;

        public static MethodInfo WriteMethod => JsonPocoWriting.Methods.Single;

        public static bool TryRead(ReadOnlySpan<byte> json, ref int pos, out float value) => JsonPocoReading.TryReadSingle(json, ref pos, out value);

        public static bool TryWrite(float value, Span<byte> output, ref int pos, bool strict) => JsonPocoWriting.TryWriteSingle(value, output, ref pos);
    }

    public readonly struct Double : IJsonValueFormat<double>
    {
        public static int MaxLength => JsonNumbers.MaxDoubleLength;

        public static MethodInfo ReadMethod => JsonPocoReading.Methods.Double;

        public static MethodInfo WriteMethod => JsonPocoWriting.Methods.Double;

        public static bool TryRead(ReadOnlySpan<byte> json, ref int pos, out double value) => JsonPocoReading.TryReadDouble(json, ref pos, out value);

        public static bool TryWrite(double value, Span<byte> output, ref int pos, bool strict) => JsonPocoWriting.TryWriteDouble(value, output, ref pos);
    }

    public readonly struct Int32 : IJsonValueFormat<int>
    {
        public static int MaxLength => 11;

        public static MethodInfo ReadMethod => JsonPocoReading.Methods.Int32;

        public static MethodInfo WriteMethod => JsonPocoWriting.Methods.Int32;

        public static bool TryRead(ReadOnlySpan<byte> json, ref int pos, out int value) => JsonPocoReading.TryReadInt32(json, ref pos, out value);

        public static bool TryWrite(int value, Span<byte> output, ref int pos, bool strict) => JsonPocoWriting.TryWriteInt32(value, output, ref pos);
    }

    public readonly struct Int64 : IJsonValueFormat<long>
    {
        public static int MaxLength => 20;

        public static MethodInfo ReadMethod => JsonPocoReading.Methods.Int64;

        public static MethodInfo WriteMethod => JsonPocoWriting.Methods.Int64;

        public static bool TryRead(ReadOnlySpan<byte> json, ref int pos, out long value) => JsonPocoReading.TryReadInt64(json, ref pos, out value);

        public static bool TryWrite(long value, Span<byte> output, ref int pos, bool strict) => JsonPocoWriting.TryWriteInt64(value, output, ref pos);
    }

    public readonly struct Boolean : IJsonValueFormat<bool>
    {
        public static int MaxLength => 5;

        public static MethodInfo ReadMethod => JsonPocoReading.Methods.Boolean;

        public static MethodInfo WriteMethod => JsonPocoWriting.Methods.Boolean;

        public static bool TryRead(ReadOnlySpan<byte> json, ref int pos, out bool value) => JsonPocoReading.TryReadBoolean(json, ref pos, out value);

        public static bool TryWrite(bool value, Span<byte> output, ref int pos, bool strict) => JsonPocoWriting.TryWriteBoolean(value, output, ref pos);
    }

    public readonly struct String : IJsonValueFormat<string?>
    {
        public static int MaxLength => JsonPocoWriting.MaxStringLength + 2;

        public static MethodInfo ReadMethod => JsonPocoReading.Methods.String;

        public static MethodInfo WriteMethod => JsonPocoWriting.Methods.String;

        public static bool TryRead(ReadOnlySpan<byte> json, ref int pos, out string? value) => JsonPocoReading.TryReadString(json, ref pos, out value);

        public static bool TryWrite(string? value, Span<byte> output, ref int pos, bool strict) => JsonPocoWriting.TryWriteString(value, output, ref pos, strict);
    }
}
