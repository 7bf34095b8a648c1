using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
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
/// <typeparam name="T">The host type (a class).</typeparam>
internal sealed class CsvEmittedReader<T>
{
    private readonly Func<T> _create;
    private readonly ReadFunc _read;

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private CsvEmittedReader(Func<T> create, ConstructorInfo? constructor, IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members)
    {
        _create = create;
        _read = Emit(constructor, members);
    }

    // Closed over the reader (its first argument), so a call is a plain call.
    private delegate bool ReadFunc(ReadOnlySpan<byte> row, byte delimiter, byte quote, out T? value);

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
            reader.TryRead([0xFF], (byte)',', (byte)'"', out _); // compiles it now (declines the byte at once, creating one instance)
            return reader;
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidProgramException or ArgumentException or MemberAccessException or TypeLoadException)
        {
            return null; // the binders read every row
        }
    }

    /// <summary>Reads a valid row; false for anything else (nothing is decided).</summary>
    public bool TryRead(ReadOnlySpan<byte> row, byte delimiter, byte quote, out T? value) => _read(row, delimiter, quote, out value);

    // The CsvFieldReads method that reads a column into a member of the type, or null when none (the column then needs a check of its own).
    private static MethodInfo? ReadMethod(CsvColumn column, Type type)
    {
        Type? underlying = Nullable.GetUnderlyingType(type);
        Type core = underlying ?? type;
        bool nullable = underlying is not null;
        string? name = (column.Type, core) switch
        {
            (CsvType.String, _) when core == typeof(string) => nameof(CsvFieldReads.TryString),
            (CsvType.Int, _) when core == typeof(int) => nullable ? nameof(CsvFieldReads.TryNullableInt32) : nameof(CsvFieldReads.TryInt32),
            (CsvType.Long, _) when core == typeof(long) => nullable ? nameof(CsvFieldReads.TryNullableInt64) : nameof(CsvFieldReads.TryInt64),
            (CsvType.Float or CsvType.Double, _) when core == typeof(float) => nullable ? nameof(CsvFieldReads.TryNullableSingle) : nameof(CsvFieldReads.TrySingle),
            (CsvType.Float or CsvType.Double, _) when core == typeof(double) => nullable ? nameof(CsvFieldReads.TryNullableDouble) : nameof(CsvFieldReads.TryDouble),
            (CsvType.Boolean, _) when core == typeof(bool) => nullable ? nameof(CsvFieldReads.TryNullableBoolean) : nameof(CsvFieldReads.TryBoolean),
            _ => null,
        };
        return name is null ? null : typeof(CsvFieldReads).GetMethod(name, BindingFlags.Public | BindingFlags.Static);
    }

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private ReadFunc Emit(ConstructorInfo? constructor, IReadOnlyList<(CsvColumn Column, MemberInfo Member, Type Type)> members)
    {
        var method = new DynamicMethod(
            "ReadCsvRow_" + typeof(T).Name,
            typeof(bool),
            [typeof(CsvEmittedReader<T>), typeof(ReadOnlySpan<byte>), typeof(byte), typeof(byte), typeof(T).MakeByRefType()],
            typeof(CsvEmittedReader<T>).Module,
            skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        LocalBuilder pos = il.DeclareLocal(typeof(int));
        LocalBuilder target = il.DeclareLocal(typeof(T));
        var values = new Dictionary<Type, LocalBuilder>();
        Label fail = il.DefineLabel();

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

            // if (!CsvFieldReads.TryX(row, ref pos, delimiter, quote, last, nullable, out value)) goto fail;
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloca, pos);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Ldarg_3);
            il.Emit(i == members.Count - 1 ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
            il.Emit(column.Nullable ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ldloca, value);
            il.Emit(OpCodes.Call, read);
            il.Emit(OpCodes.Brfalse, fail);

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

        il.Emit(OpCodes.Ldarg_S, (byte)4);
        il.Emit(OpCodes.Ldloc, target);
        il.Emit(OpCodes.Stobj, typeof(T));
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ret);

        il.MarkLabel(fail);
        il.Emit(OpCodes.Ldarg_S, (byte)4);
        il.Emit(OpCodes.Initobj, typeof(T));
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ret);
        return (ReadFunc)method.CreateDelegate(typeof(ReadFunc), this);
    }
}

/// <summary>
/// The field readers of the emitted CSV row reader: each locates the field at <c>pos</c> by RFC 4180 (the rules of
/// <see cref="CsvRowParser"/>), parses it, and moves <c>pos</c> past the delimiter; <c>last</c>: the row must end after
/// the field, otherwise a delimiter must follow it. False for anything that is not a valid field of the type (nothing
/// then is decided: the caller takes the general way). Never throws.
/// </summary>
internal static class CsvFieldReads
{
    // Short unquoted fields are found by a plain loop over their first bytes (a vectorised search costs more to start
    // than such a field takes to scan), longer ones by the vectorised search.
    private const int ScalarScan = 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryField(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, out CsvField field)
    {
        int i = pos;
        if ((uint)i < (uint)row.Length && row[i] == quote)
        {
            return TryQuoted(row, ref pos, delimiter, quote, last, out field);
        }

        int end = i;
        int stop = Math.Min(row.Length, i + ScalarScan);
        while (true)
        {
            if (end == stop)
            {
                if (end < row.Length)
                {
                    int found = row[end..].IndexOfAny(delimiter, quote);
                    end = found < 0 ? row.Length : end + found;
                }

                break;
            }

            byte b = row[end];
            if (b == delimiter || b == quote)
            {
                break;
            }

            end++;
        }

        field = new CsvField(i, end, false, false);
        if (end == row.Length)
        {
            pos = end;
            return last;
        }

        pos = end + 1;
        return !last && row[end] == delimiter;
    }

    private static bool TryQuoted(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, out CsvField field)
    {
        int i = pos;
        bool escaped = false;
        int j = i + 1;
        while (true)
        {
            int k = row[j..].IndexOf(quote);
            if (k < 0)
            {
                field = default;
                return false;
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

        field = new CsvField(i + 1, j, true, escaped);
        int after = j + 1;
        if (after == row.Length)
        {
            pos = after;
            return last;
        }

        pos = after + 1;
        return !last && row[after] == delimiter;
    }

    public static bool TryString(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out string? value)
    {
        value = null;
        if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
        {
            return false;
        }

        if (field.Length == 0)
        {
            value = nullable && !field.Quoted ? null : "";
            return true;
        }

        ReadOnlySpan<byte> text = row[field.Start..field.End];
        if (!Utf8.IsValid(text))
        {
            return false;
        }

        value = CsvValues.Text(row, field, quote);
        return true;
    }

    public static bool TryInt32(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out int value)
    {
        value = 0;
        return TryField(row, ref pos, delimiter, quote, last, out CsvField field) && CsvNumbers.TryParseInt(row[field.Start..field.End], out value);
    }

    public static bool TryInt64(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out long value)
    {
        value = 0;
        return TryField(row, ref pos, delimiter, quote, last, out CsvField field) && CsvNumbers.TryParseLong(row[field.Start..field.End], out value);
    }

    public static bool TrySingle(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out float value)
    {
        value = 0;
        return TryField(row, ref pos, delimiter, quote, last, out CsvField field) && CsvNumbers.TryParseFloat(row[field.Start..field.End], out value);
    }

    public static bool TryDouble(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out double value)
    {
        value = 0;
        return TryField(row, ref pos, delimiter, quote, last, out CsvField field) && CsvNumbers.TryParseDouble(row[field.Start..field.End], out value);
    }

    public static bool TryBoolean(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out bool value)
    {
        value = false;
        return TryField(row, ref pos, delimiter, quote, last, out CsvField field) && CsvValues.TryBoolean(row[field.Start..field.End], out value);
    }

    public static bool TryNullableInt32(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out int? value)
    {
        value = null;
        if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
        {
            return false;
        }

        if (field.Length == 0 && nullable)
        {
            return true;
        }

        bool ok = CsvNumbers.TryParseInt(row[field.Start..field.End], out int parsed);
        value = parsed;
        return ok;
    }

    public static bool TryNullableInt64(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out long? value)
    {
        value = null;
        if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
        {
            return false;
        }

        if (field.Length == 0 && nullable)
        {
            return true;
        }

        bool ok = CsvNumbers.TryParseLong(row[field.Start..field.End], out long parsed);
        value = parsed;
        return ok;
    }

    public static bool TryNullableSingle(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out float? value)
    {
        value = null;
        if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
        {
            return false;
        }

        if (field.Length == 0 && nullable)
        {
            return true;
        }

        bool ok = CsvNumbers.TryParseFloat(row[field.Start..field.End], out float parsed);
        value = parsed;
        return ok;
    }

    public static bool TryNullableDouble(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out double? value)
    {
        value = null;
        if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
        {
            return false;
        }

        if (field.Length == 0 && nullable)
        {
            return true;
        }

        bool ok = CsvNumbers.TryParseDouble(row[field.Start..field.End], out double parsed);
        value = parsed;
        return ok;
    }

    public static bool TryNullableBoolean(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool last, bool nullable, out bool? value)
    {
        value = null;
        if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
        {
            return false;
        }

        if (field.Length == 0 && nullable)
        {
            return true;
        }

        bool ok = CsvValues.TryBoolean(row[field.Start..field.End], out bool parsed);
        value = parsed;
        return ok;
    }
}
