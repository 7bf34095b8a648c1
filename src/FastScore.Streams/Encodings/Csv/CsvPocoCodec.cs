using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using FastScore.Streams.Encodings.AvroBinary;

namespace FastScore.Streams.Encodings.Csv;

/// <summary>Reads a host type from the fields of a split row.</summary>
internal abstract class CsvPocoReader<T>
{
    /// <summary>Reads a row already split into <paramref name="fields"/> (as many as the layout's columns).</summary>
    /// <param name="row">The row (valid UTF-8).</param>
    /// <param name="fields">Its fields.</param>
    /// <param name="validate">Whether each field must also be checked against its column's type.</param>
    /// <param name="value">The value.</param>
    /// <param name="error">Why not, with the field path and position.</param>
    /// <returns>Whether the value was read.</returns>
    public abstract bool TryRead(ReadOnlySpan<byte> row, ReadOnlySpan<CsvField> fields, bool validate, out T value, out string? error);

    /// <summary>
    /// The fast path: splits a valid row and parses each field straight into its member in one pass (the parse is the
    /// check). False for anything it does not take (a bad row, a column that needs a separate check, a multi-byte
    /// delimiter): the caller then takes the usual way, which gives the reason. Never throws.
    /// </summary>
    /// <param name="row">The row (any bytes).</param>
    /// <param name="format">The delimiter and quote.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the row was valid and read.</returns>
    public virtual bool TryReadRow(ReadOnlySpan<byte> row, CsvFormat format, out T value)
    {
        value = default!;
        return false;
    }
}

/// <summary>Writes a host type as the fields of a row (without the record separator).</summary>
internal abstract class CsvPocoWriter<T>
{
    /// <summary>Writes the row.</summary>
    /// <exception cref="StreamFormatException">A value cannot be written (null in a column that is not nullable).</exception>
    public abstract void Write(T value, IBufferWriter<byte> output);
}

/// <summary>One column bound to one member: parses the field's text into the member.</summary>
internal abstract class CsvBinder<T>
{
    protected CsvBinder(CsvColumn column) => Column = column;

    public CsvColumn Column { get; }

    /// <summary>Gets a value indicating whether a successful <see cref="TrySet"/> proves the field valid for the column's type.</summary>
    public bool Validates { get; init; }

    /// <summary>Sets the member from the field; false when the text cannot become the member's type.</summary>
    public abstract bool TrySet(T target, ReadOnlySpan<byte> row, CsvField field, byte quote);
}

/// <summary>One column bound to one member: formats the member's value.</summary>
internal abstract class CsvFormatter<T>
{
    public abstract void Write(T source, IBufferWriter<byte> output, CsvFormat format);
}

/// <summary>The POCO reader and writer built by reflection (compiled accessors), used where the runtime supports dynamic code.</summary>
[RequiresDynamicCode("Builds generic readers and writers for the host type at run time.")]
[RequiresUnreferencedCode("Reads the host type's members by reflection.")]
internal static class CsvPocoCodec
{
    public static CsvPocoReader<T> CreateReader<T>(IReadOnlyList<CsvColumn> columns, CsvFormat format)
    {
        Func<T> create = AvroPocoMembers.Creator<T>() is { } creator && !typeof(T).IsValueType
            ? creator
            : throw new NotSupportedException($"The csv encoding reads classes with a public parameterless constructor; {typeof(T).Name} is not one.");
        IReadOnlyList<AvroPocoMembers.Member> members = AvroPocoMembers.Of(typeof(T));
        var binders = new CsvBinder<T>?[columns.Count];
        var bound = new List<(CsvColumn Column, MemberInfo Member, Type Type)>(columns.Count);
        for (int i = 0; i < columns.Count; i++)
        {
            if (Find(members, columns[i].Name, m => m.CanWrite) is { } member)
            {
                binders[i] = Binder<T>(columns[i], member);
                bound.Add((columns[i], member.Info, member.Type));
            }
        }

        // Every column has a member whose parse proves the field valid: one method is emitted for the one-pass path.
        CsvEmittedReader<T>? emitted = bound.Count == columns.Count && Array.TrueForAll(binders, b => b is { Validates: true })
            ? CsvEmittedReader<T>.TryCreate(create, bound)
            : null;
        return new ReflectionReader<T>(create, columns, binders, format.Quote) { Emitted = emitted };
    }

    public static CsvPocoWriter<T> CreateWriter<T>(IReadOnlyList<CsvColumn> columns, CsvFormat format)
    {
        IReadOnlyList<AvroPocoMembers.Member> members = AvroPocoMembers.Of(typeof(T));
        var formatters = new CsvFormatter<T>?[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            if (Find(members, columns[i].Name, m => m.CanRead) is { } member)
            {
                formatters[i] = Formatter<T>(columns[i], member);
            }
            else if (!columns[i].Nullable)
            {
                throw new NotSupportedException($"{typeof(T).Name} has no member for the csv column '{columns[i].Name}' (and the column is not nullable).");
            }
        }

        return new ReflectionWriter<T>(formatters, format);
    }

    /// <summary>The member for a column: by name (or <c>[JsonPropertyName]</c>), else by the name without case and underscores.</summary>
    public static AvroPocoMembers.Member? Find(IReadOnlyList<AvroPocoMembers.Member> members, string name, Func<AvroPocoMembers.Member, bool> usable) =>
        members.FirstOrDefault(m => usable(m) && m.Name == name) ?? members.FirstOrDefault(m => usable(m) && Loose(m.Name) == Loose(name));

    private static string Loose(string name) => name.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

    private static CsvBinder<T> Binder<T>(CsvColumn column, AvroPocoMembers.Member member)
    {
        Type type = member.Type;
        Type? underlying = Nullable.GetUnderlyingType(type);
        bool acceptsNull = underlying is not null || !type.IsValueType;
        Type core = underlying ?? type;
        if (core == typeof(string))
        {
            return new StringBinder<T>(column, AvroPocoMembers.Setter<T, string?>(member.Info)) { Validates = column.Type == CsvType.String };
        }

        if (core.IsEnum)
        {
            MethodInfo make = typeof(CsvPocoCodec).GetMethod(nameof(EnumBinder), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeof(T), core);
            return (CsvBinder<T>)make.Invoke(null, [column, member, acceptsNull])!;
        }

        return core switch
        {
            _ when core == typeof(int) => Parsed<T, int>(column, member, type, CsvType.Int),
            _ when core == typeof(long) => Parsed<T, long>(column, member, type, CsvType.Long),
            _ when core == typeof(float) => Parsed<T, float>(column, member, type, CsvType.Float, CsvType.Double),
            _ when core == typeof(double) => Parsed<T, double>(column, member, type, CsvType.Double, CsvType.Float),
            _ when core == typeof(decimal) => Parsed<T, decimal>(column, member, type, null),
            _ when core == typeof(bool) => underlying is null
                ? new BooleanBinder<T>(column, AvroPocoMembers.Setter<T, bool>(member.Info), null) { Validates = column.Type == CsvType.Boolean }
                : new BooleanBinder<T>(column, null, AvroPocoMembers.Setter<T, bool?>(member.Info)) { Validates = column.Type == CsvType.Boolean },
            _ => throw new NotSupportedException($"The csv column '{column.Name}' cannot be read into {typeof(T).Name}.{member.Info.Name} of type {type.Name}; members are string, int, long, float, double, decimal, bool, enums, or nullable ones."),
        };
    }

    private static CsvBinder<T> Parsed<T, TValue>(CsvColumn column, AvroPocoMembers.Member member, Type type, CsvType? validates, CsvType? alsoValidates = null)
        where TValue : struct, IUtf8SpanParsable<TValue>
    {
        bool validatesColumn = validates == column.Type || (alsoValidates is not null && alsoValidates == column.Type);
        NumberStyles style = typeof(TValue) == typeof(int) || typeof(TValue) == typeof(long) ? NumberStyles.Integer : NumberStyles.Float;
        return Nullable.GetUnderlyingType(type) is null
            ? new NumberBinder<T, TValue>(column, AvroPocoMembers.Setter<T, TValue>(member.Info), null, style) { Validates = validatesColumn }
            : new NumberBinder<T, TValue>(column, null, AvroPocoMembers.Setter<T, TValue?>(member.Info), style) { Validates = validatesColumn };
    }

    private static CsvBinder<T> EnumBinder<T, TEnum>(CsvColumn column, AvroPocoMembers.Member member, bool acceptsNull)
        where TEnum : struct, Enum =>
        acceptsNull
            ? new EnumMemberBinder<T, TEnum>(column, null, AvroPocoMembers.Setter<T, TEnum?>(member.Info))
            : new EnumMemberBinder<T, TEnum>(column, AvroPocoMembers.Setter<T, TEnum>(member.Info), null);

    private static CsvFormatter<T> Formatter<T>(CsvColumn column, AvroPocoMembers.Member member)
    {
        Type type = member.Type;
        Type core = Nullable.GetUnderlyingType(type) ?? type;
        if (core == typeof(string))
        {
            return new TextFormatter<T, string?>(column, AvroPocoMembers.Getter<T, string?>(member.Info), static s => s);
        }

        if (core.IsEnum)
        {
            MethodInfo make = typeof(CsvPocoCodec).GetMethod(nameof(EnumFormatter), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeof(T), core);
            return (CsvFormatter<T>)make.Invoke(null, [column, member])!;
        }

        if (core == typeof(bool))
        {
            return type == core
                ? new BooleanFormatter<T>(column, AvroPocoMembers.Getter<T, bool>(member.Info), null)
                : new BooleanFormatter<T>(column, null, AvroPocoMembers.Getter<T, bool?>(member.Info));
        }

        return core switch
        {
            _ when core == typeof(int) => NumberFormatter<T, int>(column, member),
            _ when core == typeof(long) => NumberFormatter<T, long>(column, member),
            _ when core == typeof(float) => NumberFormatter<T, float>(column, member),
            _ when core == typeof(double) => NumberFormatter<T, double>(column, member),
            _ when core == typeof(decimal) => NumberFormatter<T, decimal>(column, member),
            _ => throw new NotSupportedException($"{typeof(T).Name}.{member.Info.Name} of type {type.Name} cannot be written to the csv column '{column.Name}'; members are string, int, long, float, double, decimal, bool, enums, or nullable ones."),
        };
    }

    private static CsvFormatter<T> EnumFormatter<T, TEnum>(CsvColumn column, AvroPocoMembers.Member member)
        where TEnum : struct, Enum =>
        Nullable.GetUnderlyingType(member.Type) is null
            ? new TextFormatter<T, TEnum>(column, AvroPocoMembers.Getter<T, TEnum>(member.Info), static e => e.ToString())
            : new TextFormatter<T, TEnum?>(column, AvroPocoMembers.Getter<T, TEnum?>(member.Info), static e => e?.ToString());

    private static CsvFormatter<T> NumberFormatter<T, TValue>(CsvColumn column, AvroPocoMembers.Member member)
        where TValue : struct, IUtf8SpanFormattable =>
        Nullable.GetUnderlyingType(member.Type) is null
            ? new NumberFormatter<T, TValue>(column, AvroPocoMembers.Getter<T, TValue>(member.Info), null)
            : new NumberFormatter<T, TValue>(column, null, AvroPocoMembers.Getter<T, TValue?>(member.Info));
}

internal sealed class ReflectionReader<T>(Func<T> create, IReadOnlyList<CsvColumn> columns, CsvBinder<T>?[] binders, byte quote) : CsvPocoReader<T>
{
    // Every column has a member whose parse proves the field valid: the one-pass path applies.
    private readonly CsvBinder<T>[]? _fused = binders.Length > 0 && Array.TrueForAll(binders, b => b is { Validates: true }) ? Array.ConvertAll(binders, b => b!) : null;

    /// <summary>Gets the emitted one-pass reader (the same rules, the setters called directly), when code could be emitted.</summary>
    public CsvEmittedReader<T>? Emitted { get; init; }

    public override bool TryReadRow(ReadOnlySpan<byte> row, CsvFormat format, out T value)
    {
        if (Emitted is { } emitted && format.Quote == quote && format.Delimiter.Length == 1)
        {
            return emitted.TryRead(row, format.Delimiter[0], quote, out value!);
        }

        value = default!;
        CsvBinder<T>[]? fused = _fused;
        if (fused is null || format.Delimiter.Length != 1 || format.Quote != quote || !System.Text.Unicode.Utf8.IsValid(row))
        {
            return false;
        }

        byte delimiter = format.Delimiter[0];
        T target = create();
        int i = 0;
        int last = fused.Length - 1;
        for (int c = 0; ; c++)
        {
            // The same rules as CsvRowParser.TryParse, one field at a time.
            CsvField field;
            int next;
            if (i < row.Length && row[i] == quote)
            {
                bool escaped = false;
                int j = i + 1;
                while (true)
                {
                    int k = row[j..].IndexOf(quote);
                    if (k < 0)
                    {
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
                    next = -1;
                }
                else if (row[after] == delimiter)
                {
                    next = after + 1;
                }
                else
                {
                    return false;
                }
            }
            else
            {
                int end = row[i..].IndexOfAny(delimiter, quote);
                if (end < 0)
                {
                    field = new CsvField(i, row.Length, false, false);
                    next = -1;
                }
                else if (row[i + end] == quote)
                {
                    return false;
                }
                else
                {
                    field = new CsvField(i, i + end, false, false);
                    next = i + end + 1;
                }
            }

            if (!fused[c].TrySet(target, row, field, quote))
            {
                return false;
            }

            if (next < 0)
            {
                if (c != last)
                {
                    return false; // too few fields
                }

                value = target;
                return true;
            }

            if (c == last)
            {
                return false; // too many fields
            }

            i = next;
        }
    }

    public override bool TryRead(ReadOnlySpan<byte> row, ReadOnlySpan<CsvField> fields, bool validate, out T value, out string? error)
    {
        T target = create();
        for (int i = 0; i < binders.Length; i++)
        {
            CsvBinder<T>? binder = binders[i];
            CsvField field = fields[i];
            if (binder is null || (validate && !binder.Validates))
            {
                if (validate && CsvValues.Check(columns[i], row, field) is { } why)
                {
                    return Fail(out value, out error, $"$.{columns[i].Name}: {why} (column {i + 1}, byte {field.Start})");
                }

                if (binder is null)
                {
                    continue;
                }
            }

            if (!binder.TrySet(target, row, field, quote))
            {
                string reason = CsvValues.Check(columns[i], row, field) is { } why
                    ? $"$.{columns[i].Name}: {why} (column {i + 1}, byte {field.Start})"
                    : $"$.{columns[i].Name}: {CsvValues.Quote(row, field)} cannot be stored in a member of {typeof(T).Name} (column {i + 1}, byte {field.Start})";
                return Fail(out value, out error, reason);
            }
        }

        value = target;
        error = null;
        return true;
    }

    private static bool Fail(out T value, out string? error, string reason)
    {
        value = default!;
        error = reason;
        return false;
    }
}

internal sealed class StringBinder<T>(CsvColumn column, Action<T, string?> set) : CsvBinder<T>(column)
{
    public override bool TrySet(T target, ReadOnlySpan<byte> row, CsvField field, byte quote)
    {
        set(target, CsvValues.IsNull(Column, field) ? null : CsvValues.Text(row, field, quote));
        return true;
    }
}

internal sealed class NumberBinder<T, TValue>(CsvColumn column, Action<T, TValue>? set, Action<T, TValue?>? setNullable, NumberStyles style) : CsvBinder<T>(column)
    where TValue : struct, IUtf8SpanParsable<TValue>
{
    public override bool TrySet(T target, ReadOnlySpan<byte> row, CsvField field, byte quote)
    {
        if (field.Length == 0 && Column.Nullable)
        {
            if (setNullable is null)
            {
                return false;
            }

            setNullable(target, null);
            return true;
        }

        ReadOnlySpan<byte> text = row[field.Start..field.End];
        TValue parsed;
        if (typeof(TValue) == typeof(float))
        {
            if (!CsvNumbers.TryParseFloat(text, out float f))
            {
                return false;
            }

            parsed = (TValue)(object)f;
        }
        else if (typeof(TValue) == typeof(double))
        {
            if (!CsvNumbers.TryParseDouble(text, out double d))
            {
                return false;
            }

            parsed = (TValue)(object)d;
        }
        else if (typeof(TValue) == typeof(int))
        {
            if (!CsvNumbers.TryParseInt(text, out int n))
            {
                return false;
            }

            parsed = (TValue)(object)n;
        }
        else if (typeof(TValue) == typeof(long))
        {
            if (!CsvNumbers.TryParseLong(text, out long n))
            {
                return false;
            }

            parsed = (TValue)(object)n;
        }
        else if (typeof(TValue) == typeof(decimal))
        {
            if (!decimal.TryParse(text, style, CultureInfo.InvariantCulture, out decimal m))
            {
                return false;
            }

            parsed = (TValue)(object)m;
        }
        else if (!TValue.TryParse(text, CultureInfo.InvariantCulture, out parsed))
        {
            return false;
        }

        if (set is not null)
        {
            set(target, parsed);
        }
        else
        {
            setNullable!(target, parsed);
        }

        return true;
    }
}

internal sealed class BooleanBinder<T>(CsvColumn column, Action<T, bool>? set, Action<T, bool?>? setNullable) : CsvBinder<T>(column)
{
    public override bool TrySet(T target, ReadOnlySpan<byte> row, CsvField field, byte quote)
    {
        if (field.Length == 0 && Column.Nullable)
        {
            if (setNullable is null)
            {
                return false;
            }

            setNullable(target, null);
            return true;
        }

        if (!CsvValues.TryBoolean(row[field.Start..field.End], out bool value))
        {
            return false;
        }

        if (set is not null)
        {
            set(target, value);
        }
        else
        {
            setNullable!(target, value);
        }

        return true;
    }
}

internal sealed class EnumMemberBinder<T, TEnum>(CsvColumn column, Action<T, TEnum>? set, Action<T, TEnum?>? setNullable) : CsvBinder<T>(column)
    where TEnum : struct, Enum
{
    public override bool TrySet(T target, ReadOnlySpan<byte> row, CsvField field, byte quote)
    {
        if (field.Length == 0 && Column.Nullable)
        {
            if (setNullable is null)
            {
                return false;
            }

            setNullable(target, null);
            return true;
        }

        string text = System.Text.Encoding.UTF8.GetString(row[field.Start..field.End]);
        if (text.Length == 0 || !char.IsLetter(text[0]) && text[0] != '_' || !Enum.TryParse(text, ignoreCase: true, out TEnum value))
        {
            return false;
        }

        if (set is not null)
        {
            set(target, value);
        }
        else
        {
            setNullable!(target, value);
        }

        return true;
    }
}

internal sealed class ReflectionWriter<T>(CsvFormatter<T>?[] formatters, CsvFormat format) : CsvPocoWriter<T>
{
    public override void Write(T value, IBufferWriter<byte> output)
    {
        if (value is null)
        {
            throw new StreamFormatException("$: null is not a record");
        }

        for (int i = 0; i < formatters.Length; i++)
        {
            if (i > 0)
            {
                output.Write(format.Delimiter);
            }

            formatters[i]?.Write(value, output, format);
        }
    }
}

internal sealed class TextFormatter<T, TValue>(CsvColumn column, Func<T, TValue> get, Func<TValue, string?> text) : CsvFormatter<T>
{
    public override void Write(T source, IBufferWriter<byte> output, CsvFormat format)
    {
        string? value = text(get(source));
        if (value is null)
        {
            if (!column.Nullable)
            {
                throw new StreamFormatException($"$.{column.Name}: null is not {(column.Type == CsvType.Enum ? "an enum symbol" : "a string")}");
            }

            return;
        }

        CsvValues.WriteText(output, value, format);
    }
}

internal sealed class NumberFormatter<T, TValue>(CsvColumn column, Func<T, TValue>? get, Func<T, TValue?>? getNullable) : CsvFormatter<T>
    where TValue : struct, IUtf8SpanFormattable
{
    public override void Write(T source, IBufferWriter<byte> output, CsvFormat format)
    {
        if (get is not null)
        {
            CsvValues.WriteFormatted(output, get(source));
            return;
        }

        TValue? value = getNullable!(source);
        if (value is null)
        {
            if (!column.Nullable)
            {
                throw new StreamFormatException($"$.{column.Name}: null is not a number");
            }

            return;
        }

        CsvValues.WriteFormatted(output, value.Value);
    }
}

internal sealed class BooleanFormatter<T>(CsvColumn column, Func<T, bool>? get, Func<T, bool?>? getNullable) : CsvFormatter<T>
{
    public override void Write(T source, IBufferWriter<byte> output, CsvFormat format)
    {
        bool? value = get is not null ? get(source) : getNullable!(source);
        if (value is null)
        {
            if (!column.Nullable)
            {
                throw new StreamFormatException($"$.{column.Name}: null is not a boolean");
            }

            return;
        }

        CsvValues.WriteBoolean(output, value.Value);
    }
}
