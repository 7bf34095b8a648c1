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
    // plain: the delimiter and the quote are neither letters, digits, '-' nor '.' (CsvFieldReads.IsPlainSafe), so the field
    // readers may parse a number or a boolean while they look for its end.
    private delegate bool ReadFunc(ReadOnlySpan<byte> row, byte delimiter, byte quote, bool plain, out T? value);

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
    public bool TryRead(ReadOnlySpan<byte> row, byte delimiter, byte quote, out T? value) =>
        _read(row, delimiter, quote, CsvFieldReads.IsPlainSafe(delimiter) && CsvFieldReads.IsPlainSafe(quote), out value);

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
            [typeof(CsvEmittedReader<T>), typeof(ReadOnlySpan<byte>), typeof(byte), typeof(byte), typeof(bool), typeof(T).MakeByRefType()],
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

            // if (!CsvFieldReads.TryX(row, ref pos, delimiter, quote, plain, last, nullable, out value)) goto fail;
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloca, pos);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Ldarg_3);
            il.Emit(OpCodes.Ldarg_S, (byte)4);
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

        il.Emit(OpCodes.Ldarg_S, (byte)5);
        il.Emit(OpCodes.Ldloc, target);
        il.Emit(OpCodes.Stobj, typeof(T));
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ret);

        il.MarkLabel(fail);
        il.Emit(OpCodes.Ldarg_S, (byte)5);
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

    /// <summary>
    /// Whether a delimiter or quote byte can never be part of a plain number or boolean (not a letter, a digit, '-' or
    /// '.'): then a field that reads as one ends exactly where the general field search would end it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsPlainSafe(byte b) => b != (byte)'-' && b != (byte)'.' && (uint)(b - '0') > 9 && (uint)((b | 0x20) - 'a') > 25;

    // One pass over a number field at pos: '-'?, digits and '.' read into a mantissa while looking for the field's end,
    // which must be the delimiter (not the last column) or the row's end (the last). Returns the end, or -1 when the field
    // holds any other byte or ends otherwise (the caller then takes the general way). `simple`: the text is a plain
    // decimal as CsvNumbers reads it ([-]digits[.digits], at most 18 bytes): its value is mantissa / 10^fraction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanNumber(ReadOnlySpan<byte> row, int pos, byte delimiter, bool last, out ulong mantissa, out int fraction, out bool negative, out bool simple)
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
        if (i < row.Length ? last || row[i] != delimiter : !last)
        {
            return -1;
        }

        return i;
    }

    // The position after a field that ends at `end` (the delimiter skipped).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int After(ReadOnlySpan<byte> row, int end) => end < row.Length ? end + 1 : end;

    public static bool TryString(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out string? value)
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

    public static bool TryInt32(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out int value)
    {
        if (plain && ScanNumber(row, pos, delimiter, last, out ulong m, out int fraction, out bool negative, out bool simple) is int end and >= 0)
        {
            int start = pos;
            pos = After(row, end);
            if (simple && fraction == 0 && end - start - (negative ? 1 : 0) <= 9)
            {
                value = negative ? -(int)m : (int)m;
                return true;
            }

            return CsvNumbers.TryParseInt(row[start..end], out value);
        }

        value = 0;
        return TryField(row, ref pos, delimiter, quote, last, out CsvField field) && CsvNumbers.TryParseInt(row[field.Start..field.End], out value);
    }

    public static bool TryInt64(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out long value)
    {
        if (plain && ScanNumber(row, pos, delimiter, last, out ulong m, out int fraction, out bool negative, out bool simple) is int end and >= 0)
        {
            int start = pos;
            pos = After(row, end);
            if (simple && fraction == 0 && end - start - (negative ? 1 : 0) <= 18)
            {
                value = negative ? -(long)m : (long)m;
                return true;
            }

            return CsvNumbers.TryParseLong(row[start..end], out value);
        }

        value = 0;
        return TryField(row, ref pos, delimiter, quote, last, out CsvField field) && CsvNumbers.TryParseLong(row[field.Start..field.End], out value);
    }

    public static bool TrySingle(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out float value)
    {
        if (plain && ScanNumber(row, pos, delimiter, last, out ulong m, out int fraction, out bool negative, out bool simple) is int end and >= 0)
        {
            int start = pos;
            pos = After(row, end);
            if (simple && CsvNumbers.TryPlainSingle(m, fraction, negative, out value))
            {
                return true;
            }

            return CsvNumbers.TryParseFloat(row[start..end], out value);
        }

        value = 0;
        return TryField(row, ref pos, delimiter, quote, last, out CsvField field) && CsvNumbers.TryParseFloat(row[field.Start..field.End], out value);
    }

    public static bool TryDouble(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out double value)
    {
        if (plain && ScanNumber(row, pos, delimiter, last, out ulong m, out int fraction, out bool negative, out bool simple) is int end and >= 0)
        {
            int start = pos;
            pos = After(row, end);
            if (simple && m <= (1UL << 53) && fraction <= 22)
            {
                value = CsvNumbers.PlainDouble(m, fraction, negative);
                return true;
            }

            return CsvNumbers.TryParseDouble(row[start..end], out value);
        }

        value = 0;
        return TryField(row, ref pos, delimiter, quote, last, out CsvField field) && CsvNumbers.TryParseDouble(row[field.Start..field.End], out value);
    }

    public static bool TryBoolean(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out bool value)
    {
        if (plain && ScanBoolean(row, pos, delimiter, last, out value) is int end and >= 0)
        {
            pos = After(row, end);
            return true;
        }

        value = false;
        return TryField(row, ref pos, delimiter, quote, last, out CsvField field) && CsvValues.TryBoolean(row[field.Start..field.End], out value);
    }

    // "true" or "false" in any case at pos, ended by the delimiter (not the last column) or the row's end (the last):
    // the end; otherwise -1 (the general way decides).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanBoolean(ReadOnlySpan<byte> row, int pos, byte delimiter, bool last, out bool value)
    {
        value = false;
        if (pos > row.Length - 4)
        {
            return -1;
        }

        uint word = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(row[pos..]) | 0x2020_2020u;
        int end;
        if (word == 0x6575_7274u)
        {
            value = true;
            end = pos + 4;
        }
        else if (word == 0x736C_6166u && pos + 4 < row.Length && (row[pos + 4] | 0x20) == (byte)'e')
        {
            end = pos + 5;
        }
        else
        {
            return -1;
        }

        return (end < row.Length ? !last && row[end] == delimiter : last) ? end : -1;
    }

    public static bool TryNullableInt32(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out int? value)
    {
        value = null;
        if (nullable && IsEmptyField(row, pos, delimiter, last))
        {
            pos = After(row, pos);
            return true;
        }

        if ((uint)pos < (uint)row.Length && row[pos] == quote)
        {
            // A quoted field: the general way (a quoted empty field is null too).
            if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
            {
                return false;
            }

            if (field.Length == 0 && nullable)
            {
                return true;
            }

            bool quotedOk = CsvNumbers.TryParseInt(row[field.Start..field.End], out int quotedValue);
            value = quotedValue;
            return quotedOk;
        }

        bool ok = TryInt32(row, ref pos, delimiter, quote, plain, last, false, out int parsed);
        value = parsed;
        return ok;
    }

    public static bool TryNullableInt64(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out long? value)
    {
        value = null;
        if (nullable && IsEmptyField(row, pos, delimiter, last))
        {
            pos = After(row, pos);
            return true;
        }

        if ((uint)pos < (uint)row.Length && row[pos] == quote)
        {
            // A quoted field: the general way (a quoted empty field is null too).
            if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
            {
                return false;
            }

            if (field.Length == 0 && nullable)
            {
                return true;
            }

            bool quotedOk = CsvNumbers.TryParseLong(row[field.Start..field.End], out long quotedValue);
            value = quotedValue;
            return quotedOk;
        }

        bool ok = TryInt64(row, ref pos, delimiter, quote, plain, last, false, out long parsed);
        value = parsed;
        return ok;
    }

    public static bool TryNullableSingle(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out float? value)
    {
        value = null;
        if (nullable && IsEmptyField(row, pos, delimiter, last))
        {
            pos = After(row, pos);
            return true;
        }

        if ((uint)pos < (uint)row.Length && row[pos] == quote)
        {
            // A quoted field: the general way (a quoted empty field is null too).
            if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
            {
                return false;
            }

            if (field.Length == 0 && nullable)
            {
                return true;
            }

            bool quotedOk = CsvNumbers.TryParseFloat(row[field.Start..field.End], out float quotedValue);
            value = quotedValue;
            return quotedOk;
        }

        bool ok = TrySingle(row, ref pos, delimiter, quote, plain, last, false, out float parsed);
        value = parsed;
        return ok;
    }

    public static bool TryNullableDouble(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out double? value)
    {
        value = null;
        if (nullable && IsEmptyField(row, pos, delimiter, last))
        {
            pos = After(row, pos);
            return true;
        }

        if ((uint)pos < (uint)row.Length && row[pos] == quote)
        {
            // A quoted field: the general way (a quoted empty field is null too).
            if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
            {
                return false;
            }

            if (field.Length == 0 && nullable)
            {
                return true;
            }

            bool quotedOk = CsvNumbers.TryParseDouble(row[field.Start..field.End], out double quotedValue);
            value = quotedValue;
            return quotedOk;
        }

        bool ok = TryDouble(row, ref pos, delimiter, quote, plain, last, false, out double parsed);
        value = parsed;
        return ok;
    }

    public static bool TryNullableBoolean(ReadOnlySpan<byte> row, ref int pos, byte delimiter, byte quote, bool plain, bool last, bool nullable, out bool? value)
    {
        value = null;
        if (nullable && IsEmptyField(row, pos, delimiter, last))
        {
            pos = After(row, pos);
            return true;
        }

        if ((uint)pos < (uint)row.Length && row[pos] == quote)
        {
            // A quoted field: the general way (a quoted empty field is null too).
            if (!TryField(row, ref pos, delimiter, quote, last, out CsvField field))
            {
                return false;
            }

            if (field.Length == 0 && nullable)
            {
                return true;
            }

            bool quotedOk = CsvValues.TryBoolean(row[field.Start..field.End], out bool quotedValue);
            value = quotedValue;
            return quotedOk;
        }

        bool ok = TryBoolean(row, ref pos, delimiter, quote, plain, last, false, out bool parsed);
        value = parsed;
        return ok;
    }

    // An empty unquoted field at pos that ends as the column must: the delimiter (not the last column) or the row's end (the last).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsEmptyField(ReadOnlySpan<byte> row, int pos, byte delimiter, bool last) =>
        pos < row.Length ? !last && row[pos] == delimiter : last;
}
