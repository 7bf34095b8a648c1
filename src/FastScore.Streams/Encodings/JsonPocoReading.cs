using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

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
    public static int SkipWhitespace(ReadOnlySpan<byte> json, int pos)
    {
        while (pos < json.Length && json[pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            pos++;
        }

        return pos;
    }

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

    /// <summary>Reads <c>{</c> and the whitespace around it; returns the position after, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Open(ReadOnlySpan<byte> json)
    {
        int pos = SkipWhitespace(json, 0);
        return pos < json.Length && json[pos] == (byte)'{' ? SkipWhitespace(json, pos + 1) : -1;
    }

    /// <summary>Whether at least <paramref name="count"/> bytes are left from <paramref name="pos"/> (for the <c>ReadN</c> methods).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Fits(ReadOnlySpan<byte> json, int pos, int count) => json.Length - pos >= count;

    /// <summary>Reads 8 bytes at <paramref name="offset"/>, which <see cref="Fits"/> has checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read8(ReadOnlySpan<byte> json, int offset) => Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(json), offset));

    /// <summary>Reads 4 bytes at <paramref name="offset"/>, which <see cref="Fits"/> has checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Read4(ReadOnlySpan<byte> json, int offset) => Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(json), offset));

    /// <summary>Reads 2 bytes at <paramref name="offset"/>, which <see cref="Fits"/> has checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Read2(ReadOnlySpan<byte> json, int offset) => Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(json), offset));

    /// <summary>After a key of <paramref name="length"/> bytes (quotes included) at <paramref name="pos"/>: reads <c>:</c> and the whitespace around it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Colon(ReadOnlySpan<byte> json, ref int pos, int length)
    {
        int at = SkipWhitespace(json, pos + length);
        if (at >= json.Length || json[at] != (byte)':')
        {
            return false;
        }

        pos = SkipWhitespace(json, at + 1);
        return true;
    }

    /// <summary>Reads <c>,</c> and the whitespace around it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Next(ReadOnlySpan<byte> json, ref int pos)
    {
        int at = SkipWhitespace(json, pos);
        if (at >= json.Length || json[at] != (byte)',')
        {
            return false;
        }

        pos = SkipWhitespace(json, at + 1);
        return true;
    }

    /// <summary>Whether what is left is <c>}</c> and whitespace.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Close(ReadOnlySpan<byte> json, int pos)
    {
        pos = SkipWhitespace(json, pos);
        return pos < json.Length && json[pos] == (byte)'}' && SkipWhitespace(json, pos + 1) == json.Length;
    }

    /// <summary>
    /// Emits <c>if (json[pos..] does not start with key) fail; pos after the colon</c>, comparing the key as 8-, 4- and
    /// 2-byte constants (the last read overlapping the one before it) instead of calling a span comparison. The emitted
    /// method has the JSON span as its argument 1 and the position in <paramref name="pos"/>.
    /// </summary>
    public static void EmitKey(ILGenerator il, LocalBuilder pos, byte[] key, Label fail)
    {
        EmitStartsWith(il, pos, key, fail);

        // if (!Colon(json, ref pos, key.Length)) fail;
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloca, pos);
        il.Emit(OpCodes.Ldc_I4, key.Length);
        il.Emit(OpCodes.Call, JsonPocoReading.Methods.Colon);
        il.Emit(OpCodes.Brfalse, fail);
    }

    /// <summary>
    /// Emits <c>if (json[pos..] does not start with bytes) fail;</c> (<paramref name="pos"/> does not move), comparing
    /// 8-, 4- and 2-byte constants (the last read overlapping the one before it); <paramref name="bytes"/> has 2 bytes
    /// at least. The emitted method has the JSON span as its argument 1.
    /// </summary>
    public static void EmitStartsWith(ILGenerator il, LocalBuilder pos, byte[] bytes, Label fail)
    {
        // if (!Fits(json, pos, bytes.Length)) fail;
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, pos);
        il.Emit(OpCodes.Ldc_I4, bytes.Length);
        il.Emit(OpCodes.Call, JsonPocoReading.Methods.Fits);
        il.Emit(OpCodes.Brfalse, fail);
        if (bytes.Length < 2)
        {
            throw new ArgumentException("A constant to compare has 2 bytes at least.", nameof(bytes));
        }

        foreach ((int at, int width) in ConstantPieces.Of(bytes.Length))
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, pos);
            il.Emit(OpCodes.Ldc_I4, at);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Call, width == 8 ? JsonPocoReading.Methods.Read8 : width == 4 ? JsonPocoReading.Methods.Read4 : JsonPocoReading.Methods.Read2);
            ConstantPieces.EmitValue(il, bytes.AsSpan(at, width));
            il.Emit(OpCodes.Bne_Un, fail);
        }
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
        public static readonly MethodInfo Open = Get(nameof(JsonPocoReading.Open));
        public static readonly MethodInfo Fits = Get(nameof(JsonPocoReading.Fits));
        public static readonly MethodInfo Read8 = Get(nameof(JsonPocoReading.Read8));
        public static readonly MethodInfo Read4 = Get(nameof(JsonPocoReading.Read4));
        public static readonly MethodInfo Read2 = Get(nameof(JsonPocoReading.Read2));
        public static readonly MethodInfo Colon = Get(nameof(JsonPocoReading.Colon));
        public static readonly MethodInfo Next = Get(nameof(JsonPocoReading.Next));
        public static readonly MethodInfo Close = Get(nameof(JsonPocoReading.Close));

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

    private InOrderJsonReader(Func<T> create, ConstructorInfo? constructor, byte[][] names, MethodInfo[] readers, MethodInfo[] setters)
    {
        _create = create;
        _read = Emit(constructor, names, readers, setters);
    }

    // Closed over the reader (its first argument), so a call is a plain call, without the shuffle thunk of an open static delegate.
    private delegate bool ReadFunc(ReadOnlySpan<byte> json, out T? value);

    /// <summary>Builds the reader, or returns <see langword="null"/> when the runtime cannot compile emitted code.</summary>
    /// <param name="create">Creates an instance (the serializer's own constructor call).</param>
    /// <param name="constructor">The constructor <paramref name="create"/> is known to call, called directly; <see langword="null"/>: call <paramref name="create"/>.</param>
    /// <param name="properties">Each property: its name (UTF-8, unescaped), the <see cref="JsonPocoReading"/> method that reads its value, and its setter.</param>
    public static InOrderJsonReader<T>? TryCreate(Func<T> create, ConstructorInfo? constructor, IReadOnlyList<(byte[] Name, MethodInfo Read, MethodInfo Setter)> properties)
    {
        if (!RuntimeFeature.IsDynamicCodeCompiled || properties.Count == 0 || typeof(T).IsValueType)
        {
            return null;
        }

        try
        {
            var reader = new InOrderJsonReader<T>(create, constructor, [.. properties.Select(p => p.Name)], [.. properties.Select(p => p.Read)], [.. properties.Select(p => p.Setter)]);
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
        il.Emit(OpCodes.Call, JsonPocoReading.Methods.Open);
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
                il.Emit(OpCodes.Call, JsonPocoReading.Methods.Next);
                il.Emit(OpCodes.Brfalse, fail);
            }

            JsonPocoReading.EmitKey(il, pos, [(byte)'"', .. names[i], (byte)'"'], fail);

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
        il.Emit(OpCodes.Call, JsonPocoReading.Methods.Close);
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

/// <summary>
/// How emitted code compares or writes a constant byte string: in 8-, 4-, 2- or 1-byte pieces, the last one overlapping
/// the one before it (its first bytes are read or written twice, with the same values).
/// </summary>
internal static class ConstantPieces
{
    /// <summary>The pieces of a constant of <paramref name="length"/> bytes: where each starts, and its width.</summary>
    public static IEnumerable<(int Offset, int Width)> Of(int length)
    {
        int width = length >= 8 ? 8 : length >= 4 ? 4 : length >= 2 ? 2 : 1;
        for (int offset = 0; offset < length; offset += width)
        {
            yield return (Math.Min(offset, length - width), width);
        }
    }

    /// <summary>Emits the piece's bytes as the constant a same-width read (unsigned, zero-extended) returns, in native byte order.</summary>
    public static void EmitValue(ILGenerator il, ReadOnlySpan<byte> piece)
    {
        switch (piece.Length)
        {
            case 8:
                il.Emit(OpCodes.Ldc_I8, MemoryMarshal.Read<long>(piece));
                break;
            case 4:
                il.Emit(OpCodes.Ldc_I4, MemoryMarshal.Read<int>(piece));
                break;
            case 2:
                il.Emit(OpCodes.Ldc_I4, (int)MemoryMarshal.Read<ushort>(piece));
                break;
            default:
                il.Emit(OpCodes.Ldc_I4, (int)piece[0]);
                break;
        }
    }
}
