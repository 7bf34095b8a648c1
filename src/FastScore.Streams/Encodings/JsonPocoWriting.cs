using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Encodings;

/// <summary>
/// The pieces <see cref="JsonPocoCodec{T}"/> writes a record with: one value of each property type. Both the codec's
/// general loop and the writer it emits for the type call these, so the two write the same bytes.
/// </summary>
internal static class JsonPocoWriting
{
    /// <summary>The longest string written without the serializer.</summary>
    public const int MaxStringLength = 256;

    /// <summary>Writes a float as the serializer does (see <see cref="JsonNumbers.TryFormatSingle"/>).</summary>
    public static bool TryWriteSingle(float value, Span<byte> output, ref int pos) => JsonNumbers.TryFormatSingle(value, output, ref pos);

    /// <summary>Writes a double as the serializer does (see <see cref="JsonNumbers.TryFormatDouble"/>).</summary>
    public static bool TryWriteDouble(double value, Span<byte> output, ref int pos) => JsonNumbers.TryFormatDouble(value, output, ref pos);

    /// <summary>Writes an int.</summary>
    public static bool TryWriteInt32(int value, Span<byte> output, ref int pos)
    {
        bool written = Utf8Formatter.TryFormat(value, output[pos..], out int length);
        pos += length;
        return written;
    }

    /// <summary>Writes a long.</summary>
    public static bool TryWriteInt64(long value, Span<byte> output, ref int pos)
    {
        bool written = Utf8Formatter.TryFormat(value, output[pos..], out int length);
        pos += length;
        return written;
    }

    /// <summary>Writes <c>true</c> or <c>false</c>.</summary>
    public static bool TryWriteBoolean(bool value, Span<byte> output, ref int pos)
    {
        ReadOnlySpan<byte> text = value ? "true"u8 : "false"u8;
        text.CopyTo(output[pos..]);
        pos += text.Length;
        return true;
    }

    /// <summary>
    /// Writes a string that needs no escaping and is at most <see cref="MaxStringLength"/> characters long, or declines;
    /// <see langword="null"/> is written as <c>null</c>, or declined when <paramref name="strict"/> (it is not a string).
    /// </summary>
    public static bool TryWriteString(string? value, Span<byte> output, ref int pos, bool strict)
    {
        if (value is null)
        {
            if (strict)
            {
                return false;
            }

            "null"u8.CopyTo(output[pos..]);
            pos += 4;
            return true;
        }

        if (value.Length > MaxStringLength || value.AsSpan().IndexOfAnyExcept(JsonNumbers.UnescapedChars) >= 0)
        {
            return false; // would need escaping: the serializer writes it
        }

        output[pos++] = (byte)'"';
        pos += Encoding.ASCII.GetBytes(value, output[pos..]);
        output[pos++] = (byte)'"';
        return true;
    }

    /// <summary>Writes 8 bytes at <paramref name="offset"/>, inside the span (the emitted writer checked its length first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Put8(Span<byte> output, int offset, long value) => Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetReference(output), offset), value);

    /// <summary>Writes 4 bytes at <paramref name="offset"/> (see <see cref="Put8"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Put4(Span<byte> output, int offset, int value) => Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetReference(output), offset), value);

    /// <summary>Writes 2 bytes at <paramref name="offset"/> (see <see cref="Put8"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Put2(Span<byte> output, int offset, ushort value) => Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetReference(output), offset), value);

    /// <summary>Writes 1 byte at <paramref name="offset"/> (see <see cref="Put8"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Put1(Span<byte> output, int offset, byte value) => Unsafe.Add(ref MemoryMarshal.GetReference(output), offset) = value;

    /// <summary>The methods emitted writers call.</summary>
    public static class Methods
    {
        public static readonly MethodInfo Single = Get(nameof(TryWriteSingle));
        public static readonly MethodInfo Double = Get(nameof(TryWriteDouble));
        public static readonly MethodInfo Int32 = Get(nameof(TryWriteInt32));
        public static readonly MethodInfo Int64 = Get(nameof(TryWriteInt64));
        public static readonly MethodInfo Boolean = Get(nameof(TryWriteBoolean));
        public static readonly MethodInfo String = Get(nameof(TryWriteString));
        public static readonly MethodInfo Put8 = Get(nameof(JsonPocoWriting.Put8));
        public static readonly MethodInfo Put4 = Get(nameof(JsonPocoWriting.Put4));
        public static readonly MethodInfo Put2 = Get(nameof(JsonPocoWriting.Put2));
        public static readonly MethodInfo Put1 = Get(nameof(JsonPocoWriting.Put1));

        private static MethodInfo Get(string name) =>
            typeof(JsonPocoWriting).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingMethodException(nameof(JsonPocoWriting), name);
    }
}

/// <summary>
/// Writes a record with one method emitted for the type: <c>{</c>, then each property's escaped name and value in
/// serialization order, then <c>}</c>, with the names stored as constants and the getters called directly, where the
/// codec's general loop copies each name and calls a delegate per property. Same pieces, same bytes.
/// </summary>
/// <typeparam name="T">The record type (a class).</typeparam>
internal sealed class EmittedJsonWriter<T>
{
    private readonly WriteFunc _write;

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private EmittedJsonWriter(int budget, byte[][] prefixes, MethodInfo[] getters, MethodInfo[] writers)
    {
        Budget = budget;
        _write = Emit(budget, prefixes, getters, writers);
    }

    // Closed over the writer (its first argument), so a call is a plain call.
    private delegate int WriteFunc(T value, Span<byte> output, bool strict);

    /// <summary>Gets the most bytes a record takes: the span given to <see cref="Write"/> must be at least this long.</summary>
    public int Budget { get; }

    /// <summary>Builds the writer, or returns <see langword="null"/> when code may not be emitted (<see cref="EmittedCode"/>).</summary>
    /// <param name="budget">The most bytes a record takes.</param>
    /// <param name="escapedNames">Each property in serialization order: <c>"name":</c> as the serializer writes it.</param>
    /// <param name="getters">Each property's getter (parallel to <paramref name="escapedNames"/>).</param>
    /// <param name="writes">Each property's <see cref="JsonPocoWriting"/> method that writes its value (parallel to <paramref name="escapedNames"/>).</param>
    public static EmittedJsonWriter<T>? TryCreate(int budget, byte[][] escapedNames, MethodInfo[] getters, MethodInfo[] writes)
    {
        if (!EmittedCode.IsSupported || !EmittedCode.IsAllowed || typeof(T).IsValueType)
        {
            return null;
        }

        try
        {
            var prefixes = new byte[escapedNames.Length][];
            for (int i = 0; i < escapedNames.Length; i++)
            {
                byte[] prefix = new byte[1 + escapedNames[i].Length];
                prefix[0] = i == 0 ? (byte)'{' : (byte)',';
                escapedNames[i].CopyTo(prefix, 1);
                prefixes[i] = prefix;
            }

            var writer = new EmittedJsonWriter<T>(budget, prefixes, getters, writes);
            writer.Write(default!, [], strict: true); // compiles it now (an empty span is declined before the value is read)
            return writer;
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidProgramException or ArgumentException or MemberAccessException or TypeLoadException)
        {
            return null; // the general loop writes every record
        }
    }

    /// <summary>
    /// Writes <paramref name="value"/> (not <see langword="null"/>) at the start of <paramref name="output"/>; returns the
    /// length, or -1 when a value needs the serializer (what was written is then garbage).
    /// </summary>
    public int Write(T value, Span<byte> output, bool strict) => _write(value, output, strict);

    private static void EmitConstant(ILGenerator il, LocalBuilder pos, byte[] bytes)
    {
        // Put8/Put4/Put2/Put1 at pos + offset (see ConstantPieces).
        foreach ((int at, int width) in ConstantPieces.Of(bytes.Length))
        {
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Ldloc, pos);
            il.Emit(OpCodes.Ldc_I4, at);
            il.Emit(OpCodes.Add);
            ConstantPieces.EmitValue(il, bytes.AsSpan(at, width));
            il.Emit(OpCodes.Call, width == 8 ? JsonPocoWriting.Methods.Put8 : width == 4 ? JsonPocoWriting.Methods.Put4 : width == 2 ? JsonPocoWriting.Methods.Put2 : JsonPocoWriting.Methods.Put1);
        }

        // pos += bytes.Length;
        il.Emit(OpCodes.Ldloc, pos);
        il.Emit(OpCodes.Ldc_I4, bytes.Length);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, pos);
    }

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private WriteFunc Emit(int budget, byte[][] prefixes, MethodInfo[] getters, MethodInfo[] writers)
    {
        var method = new DynamicMethod(
            "WriteJson_" + typeof(T).Name,
            typeof(int),
            [typeof(EmittedJsonWriter<T>), typeof(T), typeof(Span<byte>), typeof(bool)],
            typeof(EmittedJsonWriter<T>).Module,
            skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        LocalBuilder pos = il.DeclareLocal(typeof(int));
        Label fail = il.DefineLabel();

        // if (output.Length < budget) fail; (every constant below is written without a bounds check)
        il.Emit(OpCodes.Ldarga, 2);
        il.Emit(OpCodes.Call, typeof(Span<byte>).GetProperty(nameof(Span<byte>.Length))!.GetMethod!);
        il.Emit(OpCodes.Ldc_I4, budget);
        il.Emit(OpCodes.Blt, fail);

        for (int i = 0; i < writers.Length; i++)
        {
            EmitConstant(il, pos, prefixes[i]);

            // if (!TryWriteX(value.Property, output, ref pos[, strict])) fail;
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(getters[i].IsVirtual ? OpCodes.Callvirt : OpCodes.Call, getters[i]);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Ldloca, pos);
            if (writers[i].GetParameters().Length == 4)
            {
                il.Emit(OpCodes.Ldarg_3);
            }

            il.Emit(OpCodes.Call, writers[i]);
            il.Emit(OpCodes.Brfalse, fail);
        }

        EmitConstant(il, pos, writers.Length == 0 ? "{}"u8.ToArray() : "}"u8.ToArray());
        il.Emit(OpCodes.Ldloc, pos);
        il.Emit(OpCodes.Ret);

        il.MarkLabel(fail);
        il.Emit(OpCodes.Ldc_I4_M1);
        il.Emit(OpCodes.Ret);
        return (WriteFunc)method.CreateDelegate(typeof(WriteFunc), this);
    }
}
