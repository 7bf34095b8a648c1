using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Numerics;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Encodings.Csv;

/// <summary>
/// The one-pass row reader emitted for one host type and one layout: splits a row field by field and parses each field
/// straight into its member, with the member's setter called directly (no binder, no delegate per field, no virtual
/// call): the parse is the check. Built only when every column has a member whose parse proves the field valid (string,
/// int, long, float, double, boolean members and their nullable forms, on columns of the same type); any row it does not
/// take (a bad row, a field that does not parse) returns false and takes the general way, which gives the reason.
/// </summary>
/// <remarks>
/// Two methods are emitted from the same field readers: <see cref="TryRead"/> reads a framed row (its bytes exactly), and
/// <see cref="TryFrameRead"/> reads the row at the start of a buffer and finds the row's end itself (a line feed, or CR
/// LF, after the last field), so a line-framed stream needs no separate framing pass (see
/// <see cref="Envelopes.Framer.CsvLineRows"/>).
/// </remarks>
/// <typeparam name="T">The host type (a class).</typeparam>
internal sealed class CsvEmittedReader<T>
{
    private readonly Func<T> _create;
    private readonly CsvStringPool _strings = new();
    private readonly ReadFunc _read;
    private readonly FrameFunc _frame;
    private readonly KnownFunc _known;
    private readonly ManyFunc _many;
    private readonly bool _prefersKnown;

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    [RequiresUnreferencedCode("Instantiates the generic nullable field reader by reflection.")]
    private CsvEmittedReader(Func<T> create, ConstructorInfo? constructor, IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members)
    {
        _create = create;
        (DynamicMethod read, DynamicMethod frame, DynamicMethod known, DynamicMethod many) = Methods(constructor, members);
        _read = (ReadFunc)read.CreateDelegate(typeof(ReadFunc), this);
        _frame = (FrameFunc)frame.CreateDelegate(typeof(FrameFunc), this);
        _known = (KnownFunc)known.CreateDelegate(typeof(KnownFunc), this);
        _many = (ManyFunc)many.CreateDelegate(typeof(ManyFunc), this);
        _prefersKnown = PrefersKnown(members);
    }

    // The emitted methods of each layout, shared by every reader of it: the IL reads the per-reader state (the string pool,
    // the creator) from its first argument, so the methods the JIT compiled once serve every stream, and a stream attached
    // again (a new engine or a re-attach in the same process) does not emit and compile them again (docs/performance.md,
    // "CSV -> json, sixth session"). Bounded: past it, a reader of a new layout emits its own methods, as before.
    private static readonly ConcurrentDictionary<string, (DynamicMethod Read, DynamicMethod Frame, DynamicMethod Known, DynamicMethod Many)> s_methods = new(StringComparer.Ordinal);
    private const int MaxSharedLayouts = 64;

    /// <summary>Gets how many layouts of <typeparamref name="T"/> have shared emitted methods (for tests).</summary>
    internal static int SharedLayouts => s_methods.Count;

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    [RequiresUnreferencedCode("Instantiates the generic nullable field reader by reflection.")]
    private static (DynamicMethod Read, DynamicMethod Frame, DynamicMethod Known, DynamicMethod Many) Methods(ConstructorInfo? constructor, IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members)
    {
        string key = LayoutKey(constructor, members);
        if (s_methods.TryGetValue(key, out (DynamicMethod Read, DynamicMethod Frame, DynamicMethod Known, DynamicMethod Many) methods))
        {
            return methods;
        }

        methods = (Emit(constructor, members, open: false), Emit(constructor, members, open: true), EmitKnown(constructor, members), EmitMany(constructor, members));
        return s_methods.Count < MaxSharedLayouts ? s_methods.GetOrAdd(key, methods) : methods;
    }

    // Everything the emitted IL depends on: whether there is a parameterless constructor, and for each column in order its
    // type and nullability (they choose the field reader), the member (by module and metadata token) and the member's type.
    private static string LayoutKey(ConstructorInfo? constructor, IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members)
    {
        var key = new StringBuilder(constructor is null ? "create" : "new");
        foreach ((CsvColumn column, MemberInfo member, Type type) in members)
        {
            key.Append(CultureInfo.InvariantCulture, $";{column.Type}/{column.Nullable}/{member.Module.ModuleVersionId}:{member.MetadataToken}/{type.AssemblyQualifiedName}");
        }

        return key.ToString();
    }

    // Closed over the reader (its first argument), so a call is a plain call.
    // plain: the delimiter and the quote are neither letters, digits, '-' nor '.' (CsvFieldReads.IsPlainSafe), so the field
    // readers may parse a number or a boolean while they look for its end.
    private delegate bool ReadFunc(ReadOnlySpan<byte> row, byte delimiter, byte quote, bool plain, out T? value, out int consumed);

    // The same over a buffer that starts with a row: consumed is the row's length with its line feed (or CR LF).
    private delegate bool FrameFunc(ReadOnlySpan<byte> span, byte delimiter, byte quote, bool plain, out T? value, out int consumed);

    // The same for a short row whose fields' ends one vector compare finds (CsvFieldReads.RowEnds); false
    // for any other row (nothing decided). The delimiter and the quote are neither a line feed nor a carriage return.
    private delegate bool KnownFunc(ReadOnlySpan<byte> span, byte delimiter, byte quote, out T? value, out int consumed);

    // The same for consecutive rows, in one loop (TryFrameReadMany).
    private delegate int ManyFunc(ReadOnlySpan<byte> span, byte delimiter, byte quote, int maxLength, T?[] values, int[] lengths, int[] ends, int count);

    /// <summary>Builds the reader, or returns <see langword="null"/> when code may not be emitted or a member's type is not one it reads.</summary>
    /// <param name="create">Creates an instance.</param>
    /// <param name="members">Each column with its member (a property with a setter, or a field) and the member's type.</param>
    [RequiresDynamicCode("Emits a DynamicMethod.")]
    [RequiresUnreferencedCode("Reads the host type's constructor by reflection.")]
    public static CsvEmittedReader<T>? TryCreate(Func<T> create, IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members)
    {
        if (!EmittedCode.IsSupported || !EmittedCode.IsAllowed || members.Count == 0 || typeof(T).IsValueType
            || members.Any(m => ReadMethod(m.Column, m.Type) is null || (m.Member is PropertyInfo { SetMethod: null })))
        {
            return null;
        }

        try
        {
            ConstructorInfo? constructor = typeof(T).GetConstructor(Type.EmptyTypes);
            var reader = new CsvEmittedReader<T>(create, constructor, members);
            reader.TryRead([0xFF], (byte)',', (byte)'"', out _); // compiles them now (each declines the byte at once, creating one instance)
            reader.TryFrameRead([0xFF], (byte)',', (byte)'"', out _, out _);
            reader._known(new byte[Vector512<byte>.Count], (byte)',', (byte)'"', out _, out _);
            reader._many(new byte[Vector512<byte>.Count], (byte)',', (byte)'"', 1, new T?[1], new int[1], new int[1], 1);
            return reader;
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidProgramException or ArgumentException or MemberAccessException or TypeLoadException)
        {
            return null; // the binders read every row
        }
    }

    /// <summary>Reads a valid row; false for anything else (nothing is decided).</summary>
    public bool TryRead(ReadOnlySpan<byte> row, byte delimiter, byte quote, out T? value) =>
        _read(row, delimiter, quote, CsvFieldReads.IsPlainSafe(delimiter) && CsvFieldReads.IsPlainSafe(quote), out value, out _);

    /// <summary>
    /// Reads the valid row at the start of <paramref name="span"/>, which ends at the first line feed outside quotes (a
    /// carriage return just before it is not part of the row), as the delimited-csv envelope frames rows with the
    /// separator <c>"\r\n"</c> or <c>"\n"</c>. False for anything else (nothing is decided), also when the row does not
    /// end inside <paramref name="span"/>.
    /// </summary>
    /// <param name="span">Bytes that start with a row.</param>
    /// <param name="delimiter">The delimiter.</param>
    /// <param name="quote">The quote.</param>
    /// <param name="value">The value read.</param>
    /// <param name="consumed">How many bytes the row takes with its line feed (or CR LF).</param>
    /// <returns>The row's length (its line feed and a carriage return before it excluded), or -1.</returns>
    public int TryFrameRead(ReadOnlySpan<byte> span, byte delimiter, byte quote, out T? value, out int consumed)
    {
        // A short row (of a layout that gains by it): its fields' ends from one vector compare, then each field parsed at its known place.
        if (_prefersKnown && delimiter is not ((byte)'\n' or (byte)'\r') && quote is not ((byte)'\n' or (byte)'\r') && delimiter != quote && _known(span, delimiter, quote, out value, out consumed))
        {
            return consumed >= 2 && span[consumed - 2] == (byte)'\r' ? consumed - 2 : consumed - 1;
        }

        if (!_frame(span, delimiter, quote, CsvFieldReads.IsPlainSafe(delimiter) && CsvFieldReads.IsPlainSafe(quote), out value, out consumed))
        {
            consumed = 0;
            return -1;
        }

        // The last field reader stopped after "\n" or "\r\n"; a carriage return before a line feed is never a field's.
        return consumed >= 2 && span[consumed - 2] == (byte)'\r' ? consumed - 2 : consumed - 1;
    }

    /// <summary>Gets a value indicating whether <see cref="TryFrameReadMany"/> reads rows of this layout (those with a string
    /// column, see <see cref="PrefersKnown"/>); for the others, rows are read one per call.</summary>
    public bool ReadsMany => _prefersKnown;

    /// <summary>
    /// Reads consecutive short rows from the start of <paramref name="span"/> by the short-row way (as
    /// <see cref="TryFrameRead(ReadOnlySpan{byte}, byte, byte, out T, out int)"/> reads one): stops at the first row it
    /// does not take, at a row that is empty, longer than <paramref name="maxLength"/>, or starts with <c>$</c> or the quote
    /// (perhaps a control row: the row-by-row way decides), and when <paramref name="values"/> is full.
    /// </summary>
    /// <returns>How many rows were read (see <see cref="CheckingDecoder{T}.TryDecodeLineRows"/> for the spans).</returns>
    public int TryFrameReadMany(ReadOnlySpan<byte> span, byte delimiter, byte quote, int maxLength, T?[] values, int[] lengths, int[] ends, int count)
    {
        if (!_prefersKnown || delimiter is (byte)'\n' or (byte)'\r' || quote is (byte)'\n' or (byte)'\r' || delimiter == quote)
        {
            return 0;
        }

        // The loop stores through the elements' addresses (no covariant store check): values must be exactly a T[].
        return values.GetType() == typeof(T?[])
            ? _many(span, delimiter, quote, maxLength, values, lengths, ends, Math.Min(count, Math.Min(values.Length, Math.Min(lengths.Length, ends.Length))))
            : 0;
    }

    /// <summary>Whether the short-row way alone (<see cref="CsvFieldReads.RowEnds"/>) reads the row at the start of <paramref name="span"/> (for tests).</summary>
    internal bool TryKnownRead(ReadOnlySpan<byte> span, byte delimiter, byte quote, out T? value, out int consumed)
    {
        if (delimiter is (byte)'\n' or (byte)'\r' || quote is (byte)'\n' or (byte)'\r' || delimiter == quote)
        {
            value = default;
            consumed = 0;
            return false;
        }

        return _known(span, delimiter, quote, out value, out consumed);
    }

    /// <summary>As <see cref="TryFrameRead(ReadOnlySpan{byte}, byte, byte, out T, out int)"/>; <paramref name="known"/>
    /// false: without the short-row way (each field found by the field readers; for tests).</summary>
    internal int TryFrameRead(ReadOnlySpan<byte> span, byte delimiter, byte quote, bool known, out T? value, out int consumed)
    {
        // A short row (of a layout that gains by it): its fields' ends from one vector compare, then each field parsed at its known place.
        if (known && _prefersKnown && delimiter is not ((byte)'\n' or (byte)'\r') && quote is not ((byte)'\n' or (byte)'\r') && delimiter != quote && _known(span, delimiter, quote, out value, out consumed))
        {
            return consumed >= 2 && span[consumed - 2] == (byte)'\r' ? consumed - 2 : consumed - 1;
        }

        if (!_frame(span, delimiter, quote, CsvFieldReads.IsPlainSafe(delimiter) && CsvFieldReads.IsPlainSafe(quote), out value, out consumed))
        {
            consumed = 0;
            return -1;
        }

        // The last field reader stopped after "\n" or "\r\n"; a carriage return before a line feed is never a field's.
        return consumed >= 2 && span[consumed - 2] == (byte)'\r' ? consumed - 2 : consumed - 1;
    }

    // The CsvFieldReads method that reads an unquoted field of known text (RowEnds) of a column into a member of the type.
    [RequiresDynamicCode("Instantiates the generic nullable field reader.")]
    [RequiresUnreferencedCode("Instantiates the generic nullable field reader by reflection.")]
    private static MethodInfo KnownMethod(CsvColumn column, Type type)
    {
        Type? underlying = Nullable.GetUnderlyingType(type);
        Type core = underlying ?? type;
        (string Name, Type Field) read = (column.Type, core) switch
        {
            (CsvType.String, _) when core == typeof(string) => (nameof(CsvFieldReads.KnownString), typeof(string)),
            (CsvType.Int, _) when core == typeof(int) => (nameof(CsvFieldReads.KnownInt32), typeof(CsvInt32Field)),
            (CsvType.Long, _) when core == typeof(long) => (nameof(CsvFieldReads.KnownInt64), typeof(CsvInt64Field)),
            (CsvType.Float or CsvType.Double, _) when core == typeof(float) => (nameof(CsvFieldReads.KnownSingle), typeof(CsvSingleField)),
            (CsvType.Float or CsvType.Double, _) when core == typeof(double) => (nameof(CsvFieldReads.KnownDouble), typeof(CsvDoubleField)),
            (CsvType.Boolean, _) when core == typeof(bool) => (nameof(CsvFieldReads.KnownBoolean), typeof(CsvBooleanField)),
            _ => throw new NotSupportedException($"no field reader for {type}"),
        };
        return underlying is not null
            ? typeof(CsvFieldReads).GetMethod(nameof(CsvFieldReads.KnownNullable), BindingFlags.Public | BindingFlags.Static)!.MakeGenericMethod(core, read.Field)
            : typeof(CsvFieldReads).GetMethod(read.Name, BindingFlags.Public | BindingFlags.Static)!;
    }

    // The CsvFieldReads method that reads a column into a member of the type, or null when none (the column then needs a check of its own).
    [RequiresDynamicCode("Instantiates the generic nullable field reader.")]
    [RequiresUnreferencedCode("Instantiates the generic nullable field reader by reflection.")]
    private static MethodInfo? ReadMethod(CsvColumn column, Type type)
    {
        Type? underlying = Nullable.GetUnderlyingType(type);
        Type core = underlying ?? type;
        bool nullable = underlying is not null;
        (string Name, Type Field)? read = (column.Type, core) switch
        {
            (CsvType.String, _) when core == typeof(string) => (nameof(CsvFieldReads.TryString), typeof(string)),
            (CsvType.Int, _) when core == typeof(int) => (nameof(CsvFieldReads.TryInt32), typeof(CsvInt32Field)),
            (CsvType.Long, _) when core == typeof(long) => (nameof(CsvFieldReads.TryInt64), typeof(CsvInt64Field)),
            (CsvType.Float or CsvType.Double, _) when core == typeof(float) => (nameof(CsvFieldReads.TrySingle), typeof(CsvSingleField)),
            (CsvType.Float or CsvType.Double, _) when core == typeof(double) => (nameof(CsvFieldReads.TryDouble), typeof(CsvDoubleField)),
            (CsvType.Boolean, _) when core == typeof(bool) => (nameof(CsvFieldReads.TryBoolean), typeof(CsvBooleanField)),
            _ => null,
        };
        if (read is not { } r)
        {
            return null;
        }

        // A nullable member: the one generic reader, over the type's field reader (value types, so the JIT compiles it for
        // each and inlines the calls).
        return nullable
            ? typeof(CsvFieldReads).GetMethod(nameof(CsvFieldReads.TryNullable), BindingFlags.Public | BindingFlags.Static)!.MakeGenericMethod(core, r.Field)
            : typeof(CsvFieldReads).GetMethod(r.Name, BindingFlags.Public | BindingFlags.Static);
    }

    // KnownFunc: the row's field ends by CsvFieldReads.RowEnds, then every field parsed into a local of its own (the parses
    // depend on the mask only, not on each other, so the core overlaps them), then the instance made and its members set.
    [RequiresDynamicCode("Emits a DynamicMethod.")]
    [RequiresUnreferencedCode("Instantiates the generic nullable field reader by reflection.")]
    private static DynamicMethod EmitKnown(ConstructorInfo? constructor, IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members)
    {
        var method = new DynamicMethod(
            "KnownCsvRow_" + typeof(T).Name,
            typeof(bool),
            [typeof(CsvEmittedReader<T>), typeof(ReadOnlySpan<byte>), typeof(byte), typeof(byte), typeof(T).MakeByRefType(), typeof(int).MakeByRefType()],
            typeof(CsvEmittedReader<T>).Module,
            skipVisibility: true)
        {
            InitLocals = false, // every local is written before it is read
        };
        ILGenerator il = method.GetILGenerator();
        LocalBuilder consumed = il.DeclareLocal(typeof(int));
        Label fail = il.DefineLabel();

        // value = the row read (the instance on the stack), or goto fail;
        il.Emit(OpCodes.Ldarg_S, (byte)4);
        EmitKnownRow(il, constructor, members, il => il.Emit(OpCodes.Ldarg_1), consumed, fail);
        il.Emit(OpCodes.Stobj, typeof(T));
        il.Emit(OpCodes.Ldarg_S, (byte)5);
        il.Emit(OpCodes.Ldloc, consumed);
        il.Emit(OpCodes.Stind_I4);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ret);

        il.MarkLabel(fail);
        il.Emit(OpCodes.Pop); // the address of value
        il.Emit(OpCodes.Ldarg_S, (byte)4);
        il.Emit(OpCodes.Initobj, typeof(T));
        il.Emit(OpCodes.Ldarg_S, (byte)5);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stind_I4);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ret);
        return method;
    }

    // ManyFunc: KnownFunc row after row in one loop (no call per row): values[n], lengths[n], ends[n] for each row taken;
    // stops at a row it does not take, an empty one, one longer than maxLength, one that starts with '$' or the quote.
    [RequiresDynamicCode("Emits a DynamicMethod.")]
    [RequiresUnreferencedCode("Instantiates the generic nullable field reader by reflection.")]
    private static DynamicMethod EmitMany(ConstructorInfo? constructor, IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members)
    {
        var method = new DynamicMethod(
            "KnownCsvRows_" + typeof(T).Name,
            typeof(int),
            [typeof(CsvEmittedReader<T>), typeof(ReadOnlySpan<byte>), typeof(byte), typeof(byte), typeof(int), typeof(T[]), typeof(int[]), typeof(int[]), typeof(int)],
            typeof(CsvEmittedReader<T>).Module,
            skipVisibility: true)
        {
            InitLocals = false, // every local is written before it is read
        };
        ILGenerator il = method.GetILGenerator();
        LocalBuilder consumed = il.DeclareLocal(typeof(int));
        LocalBuilder n = il.DeclareLocal(typeof(int));
        LocalBuilder at = il.DeclareLocal(typeof(int));
        LocalBuilder length = il.DeclareLocal(typeof(int));
        LocalBuilder rest = il.DeclareLocal(typeof(ReadOnlySpan<byte>));
        Label loop = il.DefineLabel();
        Label fail = il.DefineLabel();
        Label tooLong = il.DefineLabel();
        Label done = il.DefineLabel();
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, n);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, at);

        // while (n < count && CsvFieldReads.TryRest(span, at, quote, out rest)) { ... }
        il.MarkLabel(loop);
        il.Emit(OpCodes.Ldloc, n);
        il.Emit(OpCodes.Ldarg_S, (byte)8);
        il.Emit(OpCodes.Bge, done);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, at);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Ldloca, rest);
        il.Emit(OpCodes.Call, typeof(CsvFieldReads).GetMethod(nameof(CsvFieldReads.TryRest), BindingFlags.Public | BindingFlags.Static)!);
        il.Emit(OpCodes.Brfalse, done);

        // values[n] = the row read, or goto fail (the element's address on the stack: stored through it, the instance needs
        // no covariant array store check, values being exactly a T[]);
        il.Emit(OpCodes.Ldarg_S, (byte)5);
        il.Emit(OpCodes.Call, typeof(MemoryMarshal).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == nameof(MemoryMarshal.GetArrayDataReference) && m.IsGenericMethodDefinition).MakeGenericMethod(typeof(T)));
        il.Emit(OpCodes.Ldloc, n);
        il.Emit(OpCodes.Call, typeof(Unsafe).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == nameof(Unsafe.Add) && m.GetParameters() is [{ ParameterType.IsByRef: true }, { ParameterType: var offset }] && offset == typeof(int))
            .MakeGenericMethod(typeof(T)));
        EmitKnownRow(il, constructor, members, il => il.Emit(OpCodes.Ldloc, rest), consumed, fail);

        // if ((length = CsvFieldReads.RowLength(rest, consumed, maxLength)) < 0) goto fail (the row is not stored);
        il.Emit(OpCodes.Ldloc, rest);
        il.Emit(OpCodes.Ldloc, consumed);
        il.Emit(OpCodes.Ldarg_S, (byte)4);
        il.Emit(OpCodes.Call, typeof(CsvFieldReads).GetMethod(nameof(CsvFieldReads.RowLength), BindingFlags.Public | BindingFlags.Static)!);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stloc, length);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Blt, tooLong);
        il.Emit(OpCodes.Stobj, typeof(T));

        // lengths[n] = length; at += consumed; ends[n] = at; n++;
        il.Emit(OpCodes.Ldarg_S, (byte)6);
        il.Emit(OpCodes.Ldloc, n);
        il.Emit(OpCodes.Ldloc, length);
        il.Emit(OpCodes.Stelem_I4);
        il.Emit(OpCodes.Ldloc, at);
        il.Emit(OpCodes.Ldloc, consumed);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, at);
        il.Emit(OpCodes.Ldarg_S, (byte)7);
        il.Emit(OpCodes.Ldloc, n);
        il.Emit(OpCodes.Ldloc, at);
        il.Emit(OpCodes.Stelem_I4);
        il.Emit(OpCodes.Ldloc, n);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, n);
        il.Emit(OpCodes.Br, loop);

        // A row longer than maxLength (or empty): the instance and the address on the stack; a row not read: the address.
        il.MarkLabel(tooLong);
        il.Emit(OpCodes.Pop);
        il.MarkLabel(fail);
        il.Emit(OpCodes.Pop);
        il.MarkLabel(done);
        il.Emit(OpCodes.Ldloc, n);
        il.Emit(OpCodes.Ret);
        return method;
    }

    // Whether rows of the layout are read faster by the short-row way (their field ends from one vector compare), many per
    // call, than by the field readers (each finds its field's end while parsing it) one per call. Measured
    // (docs/performance.md, "CSV decoding", seventh session): rows with a string column gain (each string field was a
    // vector search of its own, a quoted one more); rows of short numbers only (iris) did not, either way (the mask costs
    // more than scanning their few bytes twice), so they are read as before.
    // Only with 256-bit vectors in hardware: without them the short-row way never takes a row, and trying it (and the many-rows
    // loop) first would cost every row a call that gives up.
    private static bool PrefersKnown(IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members) =>
        System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && members.Any(m => m.Column.Type == CsvType.String);

    // Reads the short row of the span the IL `loadSpan` pushes, with the stack as it is (the row's instance pushed on it),
    // or branches to `fail` with the stack as it was.
    [RequiresDynamicCode("Emits a DynamicMethod.")]
    [RequiresUnreferencedCode("Instantiates the generic nullable field reader by reflection.")]
    private static void EmitKnownRow(ILGenerator il, ConstructorInfo? constructor, IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members, Action<ILGenerator> loadSpan, LocalBuilder consumed, Label fail)
    {
        LocalBuilder mask = il.DeclareLocal(typeof(ulong));
        LocalBuilder start = il.DeclareLocal(typeof(int));
        LocalBuilder end = il.DeclareLocal(typeof(int));
        FieldInfo strings = typeof(CsvEmittedReader<T>).GetField(nameof(_strings), BindingFlags.NonPublic | BindingFlags.Instance)!;

        // mask = CsvFieldReads.RowEnds(span, delimiter, quote, fields, out consumed); if (mask == 0) goto fail;
        loadSpan(il);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Ldc_I4, members.Count);
        il.Emit(OpCodes.Ldloca, consumed);
        il.Emit(OpCodes.Call, typeof(CsvFieldReads).GetMethod(nameof(CsvFieldReads.RowEnds), BindingFlags.Public | BindingFlags.Static)!);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stloc, mask);
        il.Emit(OpCodes.Brfalse, fail);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, start);

        var values = new LocalBuilder[members.Count];
        MethodInfo trailingZeros = typeof(BitOperations).GetMethod(nameof(BitOperations.TrailingZeroCount), [typeof(ulong)])!;
        for (int i = 0; i < members.Count; i++)
        {
            (CsvColumn column, _, Type type) = members[i];
            MethodInfo read = KnownMethod(column, type);
            values[i] = il.DeclareLocal(read.GetParameters()[^1].ParameterType.GetElementType()!);

            // end = TrailingZeroCount(mask); mask &= mask - 1;
            il.Emit(OpCodes.Ldloc, mask);
            il.Emit(OpCodes.Call, trailingZeros);
            il.Emit(OpCodes.Stloc, end);
            il.Emit(OpCodes.Ldloc, mask);
            il.Emit(OpCodes.Ldloc, mask);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Conv_I8);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.And);
            il.Emit(OpCodes.Stloc, mask);

            // if (!CsvFieldReads.KnownX(span, start, end, quote, nullable, [strings,] out value_i)) goto fail; start = end + 1;
            loadSpan(il);
            il.Emit(OpCodes.Ldloc, start);
            il.Emit(OpCodes.Ldloc, end);
            il.Emit(OpCodes.Ldarg_3);
            il.Emit(column.Nullable ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
            if (read.Name == nameof(CsvFieldReads.KnownString))
            {
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldfld, strings);
            }

            il.Emit(OpCodes.Ldloca, values[i]);
            il.Emit(OpCodes.Call, read);
            il.Emit(OpCodes.Brfalse, fail);
            il.Emit(OpCodes.Ldloc, end);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stloc, start);
        }

        // new T { members = values } (the instance only for a row read whole)
        if (constructor is not null)
        {
            il.Emit(OpCodes.Newobj, constructor);
        }
        else
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, typeof(CsvEmittedReader<T>).GetField(nameof(_create), BindingFlags.NonPublic | BindingFlags.Instance)!);
            il.Emit(OpCodes.Callvirt, typeof(Func<T>).GetMethod(nameof(Func<T>.Invoke))!);
        }

        for (int i = 0; i < members.Count; i++)
        {
            MemberInfo member = members[i].Member;
            il.Emit(OpCodes.Dup);
            il.Emit(OpCodes.Ldloc, values[i]);
            if (member is PropertyInfo property)
            {
                il.Emit(OpCodes.Callvirt, property.SetMethod!);
            }
            else
            {
                il.Emit(OpCodes.Stfld, (FieldInfo)member);
            }
        }
    }

    // open: the row is the start of a buffer and ends at a line feed (TryFrameRead); otherwise the row is exactly the bytes (TryRead).
    [RequiresDynamicCode("Emits a DynamicMethod.")]
    [RequiresUnreferencedCode("Instantiates the generic nullable field reader by reflection.")]
    private static DynamicMethod Emit(ConstructorInfo? constructor, IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members, bool open)
    {
        var method = new DynamicMethod(
            (open ? "FrameCsvRow_" : "ReadCsvRow_") + typeof(T).Name,
            typeof(bool),
            [typeof(CsvEmittedReader<T>), typeof(ReadOnlySpan<byte>), typeof(byte), typeof(byte), typeof(bool), typeof(T).MakeByRefType(), typeof(int).MakeByRefType()],
            typeof(CsvEmittedReader<T>).Module,
            skipVisibility: true)
        {
            InitLocals = false, // every local is written before it is read (no zeroed frame per row)
        };
        ILGenerator il = method.GetILGenerator();
        LocalBuilder pos = il.DeclareLocal(typeof(int));
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stloc, pos);
        LocalBuilder target = il.DeclareLocal(typeof(T));
        var values = new Dictionary<Type, LocalBuilder>();
        Label fail = il.DefineLabel();
        FieldInfo strings = typeof(CsvEmittedReader<T>).GetField(nameof(_strings), BindingFlags.NonPublic | BindingFlags.Instance)!;

        if (constructor is not null)
        {
            il.Emit(OpCodes.Newobj, constructor);
        }
        else
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, typeof(CsvEmittedReader<T>).GetField(nameof(_create), BindingFlags.NonPublic | BindingFlags.Instance)!);
            il.Emit(OpCodes.Callvirt, typeof(Func<T>).GetMethod(nameof(Func<T>.Invoke))!);
        }

        il.Emit(OpCodes.Stloc, target);
        for (int i = 0; i < members.Count; i++)
        {
            (CsvColumn column, MemberInfo member, Type type) = members[i];
            MethodInfo read = ReadMethod(column, type)!;
            Type valueType = read.GetParameters()[^1].ParameterType.GetElementType()!;
            if (!values.TryGetValue(valueType, out LocalBuilder? value))
            {
                value = il.DeclareLocal(valueType);
                values[valueType] = value;
            }

            // if ((pos = CsvFieldReads.TryX(row, pos, delimiter, quote, plain, last, open, nullable, [strings,] out value)) < 0) goto fail;
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, pos);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Ldarg_3);
            il.Emit(OpCodes.Ldarg_S, (byte)4);
            il.Emit(i == members.Count - 1 ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
            il.Emit(open ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
            il.Emit(column.Nullable ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
            if (read.Name == nameof(CsvFieldReads.TryString))
            {
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldfld, strings);
            }

            il.Emit(OpCodes.Ldloca, value);
            il.Emit(OpCodes.Call, read);
            il.Emit(OpCodes.Dup);
            il.Emit(OpCodes.Stloc, pos);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Blt, fail);

            // target.Member = value;
            il.Emit(OpCodes.Ldloc, target);
            il.Emit(OpCodes.Ldloc, value);
            if (member is PropertyInfo property)
            {
                il.Emit(OpCodes.Callvirt, property.SetMethod!);
            }
            else
            {
                il.Emit(OpCodes.Stfld, (FieldInfo)member);
            }
        }

        il.Emit(OpCodes.Ldarg_S, (byte)5);
        il.Emit(OpCodes.Ldloc, target);
        il.Emit(OpCodes.Stobj, typeof(T));
        il.Emit(OpCodes.Ldarg_S, (byte)6);
        il.Emit(OpCodes.Ldloc, pos);
        il.Emit(OpCodes.Stind_I4);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ret);

        il.MarkLabel(fail);
        il.Emit(OpCodes.Ldarg_S, (byte)5);
        il.Emit(OpCodes.Initobj, typeof(T));
        il.Emit(OpCodes.Ldarg_S, (byte)6);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stind_I4);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ret);
        return method;
    }
}

/// <summary>
/// The field readers of the emitted CSV row reader: each locates the field at <c>pos</c> by RFC 4180 (the rules of
/// <see cref="CsvRowParser"/>), parses it, and returns where the next field starts (past the delimiter); <c>last</c>:
/// the row must end after the field, otherwise a delimiter must follow it. <c>open</c>: the row is the start of a buffer
/// and ends at a line feed (or CR LF) outside quotes, which the last field must be followed by (the position returned is
/// then past it); an unquoted field then holds no line feed. -1 for anything that is not a valid field of the type
/// (nothing then is decided: the caller takes the general way). Never throws.
/// </summary>
/// <remarks>Positions go in and out by value, and the values of calls that are not inlined go through locals of their
/// own, so that the emitted method keeps its position and values in registers (a local whose address reaches a call
/// that is not inlined lives in memory, and every field would wait for a store and a load).</remarks>
internal static class CsvFieldReads
{
    // Short unquoted fields are found by a plain loop over their first bytes (a vectorised search costs more to start
    // than such a field takes to scan), longer ones by the vectorised search.
    private const int ScalarScan = 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryField(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool last, bool open, out CsvField field)
    {
        int i = pos;
        if ((uint)i < (uint)row.Length && row[i] == quote)
        {
            return TryQuoted(row, pos, delimiter, quote, last, open, out field);
        }

        int end;
        if (Vector128.IsHardwareAccelerated && i <= row.Length - Vector128<byte>.Count)
        {
            // Sixteen bytes compared at once: a short field's end without a loop, a longer one's search started.
            Vector128<byte> bytes = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(row), (nuint)i);
            Vector128<byte> hits = Vector128.Equals(bytes, Vector128.Create(delimiter)) | Vector128.Equals(bytes, Vector128.Create(quote));
            if (open)
            {
                hits |= Vector128.Equals(bytes, Vector128.Create((byte)'\n'));
            }

            uint mask = hits.ExtractMostSignificantBits();
            if (mask != 0)
            {
                end = i + BitOperations.TrailingZeroCount(mask);
            }
            else
            {
                end = i + Vector128<byte>.Count;
                int found = open ? row[end..].IndexOfAny(delimiter, quote, (byte)'\n') : row[end..].IndexOfAny(delimiter, quote);
                end = found < 0 ? row.Length : end + found;
            }
        }
        else
        {
            end = ScalarEnd(row, i, delimiter, quote, open);
        }

        // Open, the last field: a carriage return just before the line feed ends the row, not the field.
        int textEnd = open && last && end > i && end < row.Length && row[end] == (byte)'\n' && row[end - 1] == (byte)'\r' ? end - 1 : end;
        field = new CsvField(i, textEnd, false, false);
        return Next(row, textEnd, delimiter, last, open);
    }

    // The end of the unquoted field at i (its first delimiter, quote, or, open, line feed; or the row's end), byte by byte
    // over its first bytes, then by the vectorised search.
    private static int ScalarEnd(ReadOnlySpan<byte> row, int i, byte delimiter, byte quote, bool open)
    {
        int end = i;
        int stop = Math.Min(row.Length, i + ScalarScan);
        while (true)
        {
            if (end == stop)
            {
                if (end < row.Length)
                {
                    int found = open ? row[end..].IndexOfAny(delimiter, quote, (byte)'\n') : row[end..].IndexOfAny(delimiter, quote);
                    end = found < 0 ? row.Length : end + found;
                }

                break;
            }

            byte b = row[end];
            if (b == delimiter || b == quote || (open && b == (byte)'\n'))
            {
                break;
            }

            end++;
        }

        return end;
    }

    private static int TryQuoted(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool last, bool open, out CsvField field)
    {
        bool escaped = false;
        int j = pos + 1;
        while (true)
        {
            int k = row[j..].IndexOf(quote);
            if (k < 0)
            {
                field = default;
                return -1;
            }

            j += k;
            if (j + 1 < row.Length && row[j + 1] == quote)
            {
                escaped = true;
                j += 2;
                continue;
            }

            break;
        }

        field = new CsvField(pos + 1, j, true, escaped);
        return Next(row, j + 1, delimiter, last, open);
    }

    /// <summary>
    /// Where the field that ends at <paramref name="end"/> (the byte after its text, or its closing quote) leaves the row
    /// for the next: past the delimiter (not the last column), or past the row's end (the last: the end of the bytes, or
    /// open, past the line feed); -1 when it does not end as its column must.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Next(ReadOnlySpan<byte> row, int end, byte delimiter, bool last, bool open)
    {
        if (!last)
        {
            return (uint)end < (uint)row.Length && row[end] == delimiter ? end + 1 : -1;
        }

        if (!open)
        {
            return end == row.Length ? end : -1;
        }

        if ((uint)end < (uint)row.Length)
        {
            byte b = row[end];
            if (b == (byte)'\n')
            {
                return end + 1;
            }

            if (b == (byte)'\r' && (uint)(end + 1) < (uint)row.Length && row[end + 1] == (byte)'\n')
            {
                return end + 2;
            }
        }

        return -1;
    }

    /// <summary>
    /// Whether a delimiter or quote byte can never be part of a plain number or boolean (not a letter, a digit, '-' or
    /// '.'): then a field that reads as one ends exactly where the general field search would end it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsPlainSafe(byte b) => b != (byte)'-' && b != (byte)'.' && (uint)(b - '0') > 9 && (uint)((b | 0x20) - 'a') > 25;

    // One pass over a number field at pos: '-'?, digits and '.' read into a mantissa while looking for the field's end.
    // Returns the end (the first other byte, or the row's end); the caller checks that the field ends there as its
    // column must. `simple`: the text is a plain decimal as CsvNumbers reads it ([-]digits[.digits], at most 18 bytes):
    // its value is mantissa / 10^fraction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanNumber(ReadOnlySpan<byte> row, int pos, out ulong mantissa, out int fraction, out bool negative, out bool simple)
    {
        int i = pos;
        negative = (uint)i < (uint)row.Length && row[i] == (byte)'-';
        if (negative)
        {
            i++;
        }

        int digitsStart = i;
        int dot = -1;
        ulong m = 0;
        for (; (uint)i < (uint)row.Length; i++)
        {
            byte b = row[i];
            uint d = (uint)(b - '0');
            if (d <= 9)
            {
                m = (m * 10) + d;
            }
            else if (b == (byte)'.' && dot < 0)
            {
                dot = i;
            }
            else
            {
                break;
            }
        }

        mantissa = m;
        fraction = dot < 0 ? 0 : i - dot - 1;
        simple = i - pos <= 18 && i > digitsStart && dot != digitsStart && dot != i - 1;
        return i;
    }

    /// <summary>
    /// The structure of the row at the start of <paramref name="span"/> from one vector compare, when it is short and has
    /// <paramref name="fields"/> fields: a mask with a bit at each field's end (its delimiter, and for the last field the
    /// end of its text: the line feed, or the carriage return just before it), so the fields' ends are bit scans that do
    /// not wait for the fields' parses. A quoted field (its quotes included) is allowed when it is plain: opened at the
    /// field's start, closed just before its end, no doubled quote, no line feed inside. 0 (nothing decided) for any other
    /// quote, a row that does not end in the vector (it is longer, or the bytes left are fewer than a vector), or another
    /// number of delimiters; the delimiter and the quote must differ and be neither a line feed nor a carriage return.
    /// </summary>
    /// <param name="span">Bytes that start with a row.</param>
    /// <param name="delimiter">The delimiter.</param>
    /// <param name="quote">The quote.</param>
    /// <param name="fields">How many fields the row must have.</param>
    /// <param name="consumed">The row's length with its line feed.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong RowEnds(ReadOnlySpan<byte> span, byte delimiter, byte quote, int fields, out int consumed)
    {
        consumed = 0;
        ulong lineFeeds, quotes, delimiters;
        if (Vector512.IsHardwareAccelerated && span.Length >= Vector512<byte>.Count)
        {
            Vector512<byte> bytes = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(span));
            lineFeeds = Vector512.Equals(bytes, Vector512.Create((byte)'\n')).ExtractMostSignificantBits();
            quotes = Vector512.Equals(bytes, Vector512.Create(quote)).ExtractMostSignificantBits();
            delimiters = Vector512.Equals(bytes, Vector512.Create(delimiter)).ExtractMostSignificantBits();
        }
        else if (Vector256.IsHardwareAccelerated && span.Length >= Vector256<byte>.Count)
        {
            Vector256<byte> bytes = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(span));
            lineFeeds = Vector256.Equals(bytes, Vector256.Create((byte)'\n')).ExtractMostSignificantBits();
            quotes = Vector256.Equals(bytes, Vector256.Create(quote)).ExtractMostSignificantBits();
            delimiters = Vector256.Equals(bytes, Vector256.Create(delimiter)).ExtractMostSignificantBits();
        }
        else
        {
            return 0; // the field readers read it
        }

        if (lineFeeds == 0)
        {
            return 0;
        }

        int lineFeed = BitOperations.TrailingZeroCount(lineFeeds);
        ulong before = (1UL << lineFeed) - 1;
        delimiters &= before;
        quotes &= before;

        // A carriage return just before the line feed ends the row, not the last field's text (as TryField reads it).
        int textEnd = lineFeed > 0 && span[lineFeed - 1] == (byte)'\r' ? lineFeed - 1 : lineFeed;
        if (quotes != 0 && !QuotedFields(quotes, ref delimiters, textEnd))
        {
            return 0;
        }

        if (BitOperations.PopCount(delimiters) != fields - 1)
        {
            return 0;
        }

        consumed = lineFeed + 1;
        return delimiters | (1UL << textEnd);
    }

    /// <summary>The rest of <paramref name="span"/> from <paramref name="at"/>, when a row there may be read by the short-row
    /// way in a loop: not empty, and not starting with <c>$</c> or the quote (perhaps a control row: the row-by-row way decides).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRest(ReadOnlySpan<byte> span, int at, byte quote, out ReadOnlySpan<byte> rest)
    {
        rest = (uint)at < (uint)span.Length ? span[at..] : default;
        return !rest.IsEmpty && rest[0] != (byte)'$' && rest[0] != quote;
    }

    /// <summary>The length of the row that takes <paramref name="consumed"/> bytes with its line feed (or CR LF), or -1 when it
    /// is empty or longer than <paramref name="maxLength"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RowLength(ReadOnlySpan<byte> rest, int consumed, int maxLength)
    {
        int length = consumed >= 2 && rest[consumed - 2] == (byte)'\r' ? consumed - 2 : consumed - 1;
        return length > 0 && length <= maxLength ? length : -1;
    }

    // Quoted fields in a short row (the bits of its quotes before its line feed): true when every quote opens a field (at
    // its start) or closes it (just before a delimiter or the row's text end), with no doubled quote and no line feed
    // inside quotes; the delimiters inside quotes are then taken out of the mask. False for anything else (the field
    // readers decide).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool QuotedFields(ulong quotes, ref ulong delimiters, int textEnd)
    {
        if ((BitOperations.PopCount(quotes) & 1) != 0)
        {
            return false; // a quote left open: the row goes on past this line feed, or is not valid
        }

        // Inside quotes: from an opening quote up to its closing one (the prefix xor of the quote bits).
        ulong inside = quotes;
        inside ^= inside << 1;
        inside ^= inside << 2;
        inside ^= inside << 4;
        inside ^= inside << 8;
        inside ^= inside << 16;
        inside ^= inside << 32;
        ulong outside = delimiters & ~inside;
        ulong starts = (outside << 1) | 1;
        ulong ends = outside | (1UL << textEnd);
        ulong opening = quotes & inside;
        ulong closing = quotes & ~inside;
        if ((opening & ~starts) != 0 || ((closing << 1) & ~ends) != 0)
        {
            return false;
        }

        delimiters = outside;
        return true;
    }

    // A plain decimal ([-]digits[.digits], at most 18 bytes, as ScanNumber reads it) that is the whole text: its mantissa,
    // fraction digits and sign; false for any other text.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ScanKnown(ReadOnlySpan<byte> text, out ulong mantissa, out int fraction, out bool negative)
    {
        int i = 0;
        negative = text.Length > 0 && text[0] == (byte)'-';
        if (negative)
        {
            i++;
        }

        int digitsStart = i;
        int dot = -1;
        ulong m = 0;
        for (; i < text.Length; i++)
        {
            byte b = text[i];
            uint d = (uint)(b - '0');
            if (d <= 9)
            {
                m = (m * 10) + d;
            }
            else if (b == (byte)'.' && dot < 0)
            {
                dot = i;
            }
            else
            {
                break;
            }
        }

        mantissa = m;
        fraction = dot < 0 ? 0 : i - dot - 1;
        return i == text.Length && i <= 18 && i > digitsStart && dot != digitsStart && dot != i - 1;
    }

    // The Known* readers parse the field row[start..end] (found by RowEnds) exactly as the field readers above do (the same
    // fast ways, the same general parse for anything else): false when it is not a valid value. A field that starts with
    // the quote is a quoted one that RowEnds checked (it ends with the quote, and has no doubled quote inside).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsQuoted(ReadOnlySpan<byte> row, int start, byte quote) => (uint)start < (uint)row.Length && row[start] == quote;

    // A quoted field of a type other than string: its text parsed by the general way (as TryInt32Field and the others).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool KnownQuoted<TValue, TField>(ReadOnlySpan<byte> row, int start, int end, out TValue value)
        where TValue : struct
        where TField : ICsvField<TValue> =>
        TField.TryParse(row[(start + 1)..(end - 1)], out value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool KnownInt32(ReadOnlySpan<byte> row, int start, int end, byte quote, bool nullable, out int value)
    {
        if (IsQuoted(row, start, quote))
        {
            return KnownQuoted<int, CsvInt32Field>(row, start, end, out value);
        }

        ReadOnlySpan<byte> text = row[start..end];
        if (ScanKnown(text, out ulong m, out int fraction, out bool negative) && fraction == 0 && text.Length - (negative ? 1 : 0) <= 9)
        {
            value = negative ? -(int)m : (int)m;
            return true;
        }

        return CsvNumbers.TryParseInt(text, out value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool KnownInt64(ReadOnlySpan<byte> row, int start, int end, byte quote, bool nullable, out long value)
    {
        if (IsQuoted(row, start, quote))
        {
            return KnownQuoted<long, CsvInt64Field>(row, start, end, out value);
        }

        ReadOnlySpan<byte> text = row[start..end];
        if (ScanKnown(text, out ulong m, out int fraction, out bool negative) && fraction == 0)
        {
            value = negative ? -(long)m : (long)m; // at most 18 digits
            return true;
        }

        return CsvNumbers.TryParseLong(text, out value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool KnownSingle(ReadOnlySpan<byte> row, int start, int end, byte quote, bool nullable, out float value)
    {
        if (IsQuoted(row, start, quote))
        {
            return KnownQuoted<float, CsvSingleField>(row, start, end, out value);
        }

        ReadOnlySpan<byte> text = row[start..end];
        bool simple = ScanKnown(text, out ulong m, out int fraction, out bool negative);
        if (simple && m <= (1UL << 24) && fraction <= 10)
        {
            value = CsvNumbers.PlainSingle(m, fraction, negative);
            return true;
        }

        return TryParseSingle(text, simple, m, fraction, negative, out value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool KnownDouble(ReadOnlySpan<byte> row, int start, int end, byte quote, bool nullable, out double value)
    {
        if (IsQuoted(row, start, quote))
        {
            return KnownQuoted<double, CsvDoubleField>(row, start, end, out value);
        }

        ReadOnlySpan<byte> text = row[start..end];
        if (ScanKnown(text, out ulong m, out int fraction, out bool negative) && m <= (1UL << 53) && fraction <= 22)
        {
            value = CsvNumbers.PlainDouble(m, fraction, negative);
            return true;
        }

        return CsvNumbers.TryParseDouble(text, out value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool KnownBoolean(ReadOnlySpan<byte> row, int start, int end, byte quote, bool nullable, out bool value) =>
        IsQuoted(row, start, quote) ? CsvValues.TryBoolean(row[(start + 1)..(end - 1)], out value) : CsvValues.TryBoolean(row[start..end], out value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool KnownString(ReadOnlySpan<byte> row, int start, int end, byte quote, bool nullable, CsvStringPool strings, out string? value)
    {
        if (start == end)
        {
            value = nullable ? null : "";
            return true;
        }

        if (IsQuoted(row, start, quote))
        {
            start++;
            end--;
            if (start == end)
            {
                value = ""; // a quoted empty field is an empty string, also in a nullable column
                return true;
            }
        }

        if (end - start <= CsvStringPool.MaxLength && strings.TryGet(row[start..end]) is { } pooled)
        {
            value = pooled;
            return true;
        }

        return TryText(row, new CsvField(start, end, false, false), 0, out value); // unescaped: the quote is not read
    }

    /// <summary>A nullable member's unquoted field of known text: empty (in a nullable column) is null, anything else the type's own reader.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool KnownNullable<TValue, TField>(ReadOnlySpan<byte> row, int start, int end, byte quote, bool nullable, out TValue? value)
        where TValue : struct
        where TField : ICsvField<TValue>
    {
        if (nullable && start == end)
        {
            value = null;
            return true;
        }

        if (IsQuoted(row, start, quote))
        {
            return KnownQuotedNullable<TValue, TField>(row, start, end, nullable, out value);
        }

        bool ok = TField.TryKnown(row, start, end, quote, out TValue parsed);
        value = parsed;
        return ok;
    }

    // A quoted field for a nullable member (as TryQuotedNullable: a quoted empty field is null too, in a nullable column).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool KnownQuotedNullable<TValue, TField>(ReadOnlySpan<byte> row, int start, int end, bool nullable, out TValue? value)
        where TValue : struct
        where TField : ICsvField<TValue>
    {
        value = null;
        if (end - start == 2 && nullable)
        {
            return true;
        }

        bool ok = TField.TryParse(row[(start + 1)..(end - 1)], out TValue parsed);
        value = parsed;
        return ok;
    }

    public static int TryString(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, bool nullable, CsvStringPool strings, out string? value)
    {
        value = null;
        int next = TryField(row, pos, delimiter, quote, last, open, out CsvField field);
        if (next < 0)
        {
            return -1;
        }

        if (field.Length == 0)
        {
            value = nullable && !field.Quoted ? null : "";
            return next;
        }

        if (!field.Escaped && field.Length <= CsvStringPool.MaxLength && strings.TryGet(row[field.Start..field.End]) is { } pooled)
        {
            value = pooled; // ASCII text seen before (or now added): checked and transcoded once
            return next;
        }

        return TryText(row, field, quote, out value) ? next : -1;
    }

    // A field's text that is not in the pool: checked as UTF-8 and transcoded (kept apart: its stack buffer would cost
    // every call of TryString a zeroed frame and a stack cookie).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryText(ReadOnlySpan<byte> row, CsvField field, byte quote, out string? value)
    {
        value = null;
        ReadOnlySpan<byte> text = row[field.Start..field.End];
        if (!field.Escaped && text.Length <= 256)
        {
            // One pass: checked and transcoded together (what Utf8.IsValid and then Encoding.UTF8.GetString give).
            Span<char> chars = stackalloc char[text.Length];
            if (Utf8.ToUtf16(text, chars, out _, out int written, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            value = new string(chars[..written]);
            return true;
        }

        if (!Utf8.IsValid(text))
        {
            return false;
        }

        value = CsvValues.Text(row, field, quote);
        return true;
    }

    // Inlined into the emitted row reader: the usual field costs no call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryInt32(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, bool nullable, out int value)
    {
        if (plain)
        {
            int end = ScanNumber(row, pos, out ulong m, out int fraction, out bool negative, out bool simple);
            int next = Next(row, end, delimiter, last, open);
            if (next >= 0)
            {
                if (simple && fraction == 0 && end - pos - (negative ? 1 : 0) <= 9)
                {
                    value = negative ? -(int)m : (int)m;
                    return next;
                }

                bool ok = CsvNumbers.TryParseInt(row[pos..end], out int parsed);
                value = parsed;
                return ok ? next : -1;
            }
        }

        int general = TryInt32Field(row, pos, delimiter, quote, last, open, out int read);
        value = read;
        return general;
    }

    // The general way: the field found by RFC 4180, then parsed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int TryInt32Field(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool last, bool open, out int value)
    {
        value = 0;
        int next = TryField(row, pos, delimiter, quote, last, open, out CsvField field);
        return next >= 0 && CsvNumbers.TryParseInt(row[field.Start..field.End], out value) ? next : -1;
    }

    // Inlined into the emitted row reader: the usual field costs no call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryInt64(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, bool nullable, out long value)
    {
        if (plain)
        {
            int end = ScanNumber(row, pos, out ulong m, out int fraction, out bool negative, out bool simple);
            int next = Next(row, end, delimiter, last, open);
            if (next >= 0)
            {
                if (simple && fraction == 0 && end - pos - (negative ? 1 : 0) <= 18)
                {
                    value = negative ? -(long)m : (long)m;
                    return next;
                }

                bool ok = CsvNumbers.TryParseLong(row[pos..end], out long parsed);
                value = parsed;
                return ok ? next : -1;
            }
        }

        int general = TryInt64Field(row, pos, delimiter, quote, last, open, out long read);
        value = read;
        return general;
    }

    // The general way: the field found by RFC 4180, then parsed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int TryInt64Field(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool last, bool open, out long value)
    {
        value = 0;
        int next = TryField(row, pos, delimiter, quote, last, open, out CsvField field);
        return next >= 0 && CsvNumbers.TryParseLong(row[field.Start..field.End], out value) ? next : -1;
    }

    // Inlined into the emitted row reader: the usual field costs no call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TrySingle(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, bool nullable, out float value)
    {
        if (plain)
        {
            int end = ScanNumber(row, pos, out ulong m, out int fraction, out bool negative, out bool simple);
            int next = Next(row, end, delimiter, last, open);
            if (next >= 0)
            {
                if (simple && m <= (1UL << 24) && fraction <= 10)
                {
                    value = CsvNumbers.PlainSingle(m, fraction, negative);
                    return next;
                }

                bool ok = TryParseSingle(row[pos..end], simple, m, fraction, negative, out float parsed);
                value = parsed;
                return ok ? next : -1;
            }
        }

        int general = TrySingleField(row, pos, delimiter, quote, last, open, out float read);
        value = read;
        return general;
    }

    // A plain decimal the float fast path does not take, or any other text.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseSingle(ReadOnlySpan<byte> text, bool simple, ulong mantissa, int fraction, bool negative, out float value) =>
        (simple && CsvNumbers.TryPlainSingle(mantissa, fraction, negative, out value)) || CsvNumbers.TryParseFloat(text, out value);

    // The general way: the field found by RFC 4180, then parsed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int TrySingleField(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool last, bool open, out float value)
    {
        value = 0;
        int next = TryField(row, pos, delimiter, quote, last, open, out CsvField field);
        return next >= 0 && CsvNumbers.TryParseFloat(row[field.Start..field.End], out value) ? next : -1;
    }

    // Inlined into the emitted row reader: the usual field costs no call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryDouble(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, bool nullable, out double value)
    {
        if (plain)
        {
            int end = ScanNumber(row, pos, out ulong m, out int fraction, out bool negative, out bool simple);
            int next = Next(row, end, delimiter, last, open);
            if (next >= 0)
            {
                if (simple && m <= (1UL << 53) && fraction <= 22)
                {
                    value = CsvNumbers.PlainDouble(m, fraction, negative);
                    return next;
                }

                bool ok = CsvNumbers.TryParseDouble(row[pos..end], out double parsed);
                value = parsed;
                return ok ? next : -1;
            }
        }

        int general = TryDoubleField(row, pos, delimiter, quote, last, open, out double read);
        value = read;
        return general;
    }

    // The general way: the field found by RFC 4180, then parsed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int TryDoubleField(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool last, bool open, out double value)
    {
        value = 0;
        int next = TryField(row, pos, delimiter, quote, last, open, out CsvField field);
        return next >= 0 && CsvNumbers.TryParseDouble(row[field.Start..field.End], out value) ? next : -1;
    }

    // Inlined into the emitted row reader: the usual field costs no call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryBoolean(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, bool nullable, out bool value)
    {
        if (plain && ScanBoolean(row, pos, out value) is int end and >= 0 && Next(row, end, delimiter, last, open) is int next and >= 0)
        {
            return next;
        }

        int general = TryBooleanField(row, pos, delimiter, quote, last, open, out bool read);
        value = read;
        return general;
    }

    // The general way: the field found by RFC 4180, then parsed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int TryBooleanField(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool last, bool open, out bool value)
    {
        value = false;
        int next = TryField(row, pos, delimiter, quote, last, open, out CsvField field);
        return next >= 0 && CsvValues.TryBoolean(row[field.Start..field.End], out value) ? next : -1;
    }

    // "true" or "false" in any case at pos: its end; otherwise -1 (the general way decides).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanBoolean(ReadOnlySpan<byte> row, int pos, out bool value)
    {
        value = false;
        if (pos > row.Length - 4)
        {
            return -1;
        }

        uint word = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(row[pos..]) | 0x2020_2020u;
        if (word == 0x6575_7274u)
        {
            value = true;
            return pos + 4;
        }

        if (word == 0x736C_6166u && pos + 4 < row.Length && (row[pos + 4] | 0x20) == (byte)'e')
        {
            return pos + 5;
        }

        return -1;
    }

    /// <summary>
    /// A nullable member's field: an empty field (in a nullable column) is null, a quoted one takes the general way (a
    /// quoted empty field is null too), anything else the type's own reader (<typeparamref name="TField"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryNullable<TValue, TField>(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, bool nullable, out TValue? value)
        where TValue : struct
        where TField : ICsvField<TValue>
    {
        if (nullable && Next(row, pos, delimiter, last, open) is int empty and >= 0)
        {
            value = null; // an empty field
            return empty;
        }

        if ((uint)pos < (uint)row.Length && row[pos] == quote)
        {
            int quoted = TryQuotedNullable<TValue, TField>(row, pos, delimiter, quote, last, open, nullable, out TValue? read);
            value = read;
            return quoted;
        }

        int next = TField.TryRead(row, pos, delimiter, quote, plain, last, open, out TValue parsed);
        value = parsed;
        return next;
    }

    // A quoted field for a nullable member: the general way (a quoted empty field is null too).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int TryQuotedNullable<TValue, TField>(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool last, bool open, bool nullable, out TValue? value)
        where TValue : struct
        where TField : ICsvField<TValue>
    {
        value = null;
        int next = TryField(row, pos, delimiter, quote, last, open, out CsvField field);
        if (next < 0 || (field.Length == 0 && nullable))
        {
            return next;
        }

        bool ok = TField.TryParse(row[field.Start..field.End], out TValue parsed);
        value = parsed;
        return ok ? next : -1;
    }
}

/// <summary>How the field readers read one type: the usual way (<see cref="TryRead"/>) and a field's text (<see cref="TryParse"/>).</summary>
/// <typeparam name="TValue">The type.</typeparam>
internal interface ICsvField<TValue>
    where TValue : struct
{
    /// <summary>The field reader of the type (as <see cref="CsvFieldReads.TryInt32"/>, for a column that is not nullable).</summary>
    static abstract int TryRead(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, out TValue value);

    /// <summary>The type's reader of an unquoted field of known text (as <see cref="CsvFieldReads.KnownInt32"/>, for a column that is not nullable).</summary>
    static abstract bool TryKnown(ReadOnlySpan<byte> row, int start, int end, byte quote, out TValue value);

    /// <summary>Parses a field's text (quotes removed) as the general way does.</summary>
    static abstract bool TryParse(ReadOnlySpan<byte> text, out TValue value);
}

/// <summary>The int fields.</summary>
internal readonly struct CsvInt32Field : ICsvField<int>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryRead(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, out int value) =>
        CsvFieldReads.TryInt32(row, pos, delimiter, quote, plain, last, open, false, out value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryKnown(ReadOnlySpan<byte> row, int start, int end, byte quote, out int value) =>
        CsvFieldReads.KnownInt32(row, start, end, quote, false, out value);

    public static bool TryParse(ReadOnlySpan<byte> text, out int value) => CsvNumbers.TryParseInt(text, out value);
}

/// <summary>The long fields.</summary>
internal readonly struct CsvInt64Field : ICsvField<long>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryRead(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, out long value) =>
        CsvFieldReads.TryInt64(row, pos, delimiter, quote, plain, last, open, false, out value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryKnown(ReadOnlySpan<byte> row, int start, int end, byte quote, out long value) =>
        CsvFieldReads.KnownInt64(row, start, end, quote, false, out value);

    public static bool TryParse(ReadOnlySpan<byte> text, out long value) => CsvNumbers.TryParseLong(text, out value);
}

/// <summary>The float fields.</summary>
internal readonly struct CsvSingleField : ICsvField<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryRead(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, out float value) =>
        CsvFieldReads.TrySingle(row, pos, delimiter, quote, plain, last, open, false, out value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryKnown(ReadOnlySpan<byte> row, int start, int end, byte quote, out float value) =>
        CsvFieldReads.KnownSingle(row, start, end, quote, false, out value);

    public static bool TryParse(ReadOnlySpan<byte> text, out float value) => CsvNumbers.TryParseFloat(text, out value);
}

/// <summary>The double fields.</summary>
internal readonly struct CsvDoubleField : ICsvField<double>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryRead(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, out double value) =>
        CsvFieldReads.TryDouble(row, pos, delimiter, quote, plain, last, open, false, out value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryKnown(ReadOnlySpan<byte> row, int start, int end, byte quote, out double value) =>
        CsvFieldReads.KnownDouble(row, start, end, quote, false, out value);

    public static bool TryParse(ReadOnlySpan<byte> text, out double value) => CsvNumbers.TryParseDouble(text, out value);
}

/// <summary>The boolean fields.</summary>
internal readonly struct CsvBooleanField : ICsvField<bool>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int TryRead(ReadOnlySpan<byte> row, int pos, byte delimiter, byte quote, bool plain, bool last, bool open, out bool value) =>
        CsvFieldReads.TryBoolean(row, pos, delimiter, quote, plain, last, open, false, out value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryKnown(ReadOnlySpan<byte> row, int start, int end, byte quote, out bool value) =>
        CsvFieldReads.KnownBoolean(row, start, end, quote, false, out value);

    public static bool TryParse(ReadOnlySpan<byte> text, out bool value) => CsvValues.TryBoolean(text, out value);
}
