using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Encodings;

/// <summary>
/// The pieces <see cref="JsonPocoCodec{T}"/> reads a record with: one value of each property type, and the punctuation
/// between them. Both the codec's general loop and the reader it emits for records in declaration order call these, so
/// the two accept the same records and give the same values.
/// </summary>
internal static class JsonPocoReading
{
    /// <summary>Skips JSON whitespace.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SkipWhitespace(ReadOnlySpan<byte> json, int pos) => JsonScan.SkipWhitespace(json, pos);

    /// <summary>Reads a float (see <see cref="JsonNumbers.TryParseSingle"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadSingle(ReadOnlySpan<byte> json, ref int pos, out float value) => JsonNumbers.TryParseSingle(json, ref pos, out value);

    /// <summary>Reads a double (see <see cref="JsonNumbers.TryParseDouble"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadDouble(ReadOnlySpan<byte> json, ref int pos, out double value) => JsonNumbers.TryParseDouble(json, ref pos, out value);

    /// <summary>Reads an int of at most 9 digits.</summary>
    public static bool TryReadInt32(ReadOnlySpan<byte> json, ref int pos, out int value)
    {
        bool read = JsonNumbers.TryParseInteger(json, ref pos, 9, out long number);
        value = (int)number;
        return read;
    }

    /// <summary>Reads a long of at most 18 digits.</summary>
    public static bool TryReadInt64(ReadOnlySpan<byte> json, ref int pos, out long value) => JsonNumbers.TryParseInteger(json, ref pos, 18, out value);

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    public static bool TryReadBoolean(ReadOnlySpan<byte> json, ref int pos, out bool value)
    {
        ReadOnlySpan<byte> rest = json[pos..];
        if (rest.StartsWith("true"u8))
        {
            value = true;
            pos += 4;
            return true;
        }

        value = false;
        if (rest.StartsWith("false"u8))
        {
            pos += 5;
            return true;
        }

        return false;
    }

    /// <summary>Reads a string of printable ASCII without escapes; declines on <c>null</c>, escapes, control characters and non-ASCII text.</summary>
    public static bool TryReadString(ReadOnlySpan<byte> json, ref int pos, out string? value)
    {
        value = null;
        if (pos >= json.Length || json[pos] != (byte)'"')
        {
            return false; // null, or not a string: the serializer decides
        }

        ReadOnlySpan<byte> rest = json[(pos + 1)..];
        int length = rest.IndexOfAnyExcept(JsonNumbers.PlainStringBytes);
        if (length < 0 || rest[length] != (byte)'"')
        {
            return false; // an escape, a control character or non-ASCII text
        }

        value = Encoding.ASCII.GetString(rest[..length]);
        pos += length + 2;
        return true;
    }

    /// <summary>The methods emitted readers call.</summary>
    public static class Methods
    {
        public static readonly MethodInfo Single = Get(nameof(TryReadSingle));
        public static readonly MethodInfo Double = Get(nameof(TryReadDouble));
        public static readonly MethodInfo Int32 = Get(nameof(TryReadInt32));
        public static readonly MethodInfo Int64 = Get(nameof(TryReadInt64));
        public static readonly MethodInfo Boolean = Get(nameof(TryReadBoolean));
        public static readonly MethodInfo String = Get(nameof(TryReadString));

        private static MethodInfo Get(string name) =>
            typeof(JsonPocoReading).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingMethodException(nameof(JsonPocoReading), name);
    }
}

/// <summary>
/// Reads a record whose keys are exactly the properties, once each, in declaration order (the shape records written by a
/// program usually have) with one method emitted for the type: the property setters are called directly, where the
/// general loop looks each key up and calls a delegate per property.
/// </summary>
/// <typeparam name="T">The record type (a class).</typeparam>
internal sealed class InOrderJsonReader<T>
{
    private readonly Func<T> _create;
    private readonly ReadFunc _read;

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private InOrderJsonReader(Func<T> create, ConstructorInfo? constructor, byte[][] names, MethodInfo[] readers, MethodInfo[] setters)
    {
        _create = create;
        _read = Emit(constructor, names, readers, setters);
    }

    // Closed over the reader (its first argument), so a call is a plain call, without the shuffle thunk of an open static delegate.
    private delegate bool ReadFunc(ReadOnlySpan<byte> json, out T? value);

    /// <summary>Builds the reader, or returns <see langword="null"/> when code may not be emitted (<see cref="EmittedCode"/>).</summary>
    /// <param name="create">Creates an instance (the serializer's own constructor call).</param>
    /// <param name="constructor">The constructor <paramref name="create"/> is known to call, called directly; <see langword="null"/>: call <paramref name="create"/>.</param>
    /// <param name="names">Each property's name (UTF-8, unescaped).</param>
    /// <param name="reads">Each property's <see cref="JsonPocoReading"/> method that reads its value (parallel to <paramref name="names"/>).</param>
    /// <param name="setters">Each property's setter (parallel to <paramref name="names"/>).</param>
    public static InOrderJsonReader<T>? TryCreate(Func<T> create, ConstructorInfo? constructor, byte[][] names, MethodInfo[] reads, MethodInfo[] setters)
    {
        if (!EmittedCode.IsSupported || !EmittedCode.IsAllowed || names.Length == 0 || typeof(T).IsValueType)
        {
            return null;
        }

        try
        {
            var reader = new InOrderJsonReader<T>(create, constructor, names, reads, setters);
            reader.TryRead([], out _); // compiles it now (declines at once, creating nothing): a type the emitted code cannot use fails here, not on a record
            return reader;
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidProgramException or ArgumentException or MemberAccessException or TypeLoadException)
        {
            return null; // the general loop reads every record
        }
    }

    /// <summary>Reads the record when it has exactly the properties in order; otherwise returns <see langword="false"/> (nothing is decided).</summary>
    public bool TryRead(ReadOnlySpan<byte> json, out T? value) => _read(json, out value);

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private ReadFunc Emit(ConstructorInfo? constructor, byte[][] names, MethodInfo[] readers, MethodInfo[] setters)
    {
        var method = new DynamicMethod(
            "ReadInOrder_" + typeof(T).Name,
            typeof(bool),
            [typeof(InOrderJsonReader<T>), typeof(ReadOnlySpan<byte>), typeof(T).MakeByRefType()],
            typeof(InOrderJsonReader<T>).Module,
            skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        LocalBuilder pos = il.DeclareLocal(typeof(int));
        LocalBuilder target = il.DeclareLocal(typeof(T));
        var values = new Dictionary<Type, LocalBuilder>();
        Label fail = il.DefineLabel();
        FieldInfo create = typeof(InOrderJsonReader<T>).GetField(nameof(_create), BindingFlags.NonPublic | BindingFlags.Instance)!;

        // pos = Open(json); if (pos < 0) fail;
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Call, JsonScan.Methods.Open);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stloc, pos);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Blt, fail);

        // target = new T(), or state._create();
        if (constructor is not null)
        {
            il.Emit(OpCodes.Newobj, constructor);
        }
        else
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, create);
            il.Emit(OpCodes.Callvirt, typeof(Func<T>).GetMethod(nameof(Func<T>.Invoke))!);
        }

        il.Emit(OpCodes.Stloc, target);

        for (int i = 0; i < readers.Length; i++)
        {
            Type valueType = readers[i].GetParameters()[2].ParameterType.GetElementType()!;
            if (!values.TryGetValue(valueType, out LocalBuilder? value))
            {
                value = il.DeclareLocal(valueType);
                values[valueType] = value;
            }

            if (i > 0)
            {
                // if (!Next(json, ref pos)) fail;
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldloca, pos);
                il.Emit(OpCodes.Call, JsonScan.Methods.Next);
                il.Emit(OpCodes.Brfalse, fail);
            }

            EmittedJson.EmitKey(il, pos, [(byte)'"', .. names[i], (byte)'"'], fail);

            // if (!TryReadX(json, ref pos, out value)) fail; target.Property = value;
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloca, pos);
            il.Emit(OpCodes.Ldloca, value);
            il.Emit(OpCodes.Call, readers[i]);
            il.Emit(OpCodes.Brfalse, fail);
            il.Emit(OpCodes.Ldloc, target);
            il.Emit(OpCodes.Ldloc, value);
            il.Emit(setters[i].IsVirtual ? OpCodes.Callvirt : OpCodes.Call, setters[i]);
            if (setters[i].ReturnType != typeof(void))
            {
                il.Emit(OpCodes.Pop);
            }
        }

        // if (!Close(json, pos)) fail; value = target; return true;
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, pos);
        il.Emit(OpCodes.Call, JsonScan.Methods.Close);
        il.Emit(OpCodes.Brfalse, fail);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Ldloc, target);
        il.Emit(OpCodes.Stind_Ref);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ret);

        // fail: value = null; return false;
        il.MarkLabel(fail);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Ldnull);
        il.Emit(OpCodes.Stind_Ref);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ret);
        return (ReadFunc)method.CreateDelegate(typeof(ReadFunc), this);
    }
}
