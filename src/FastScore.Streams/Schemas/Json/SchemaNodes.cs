using System.Text.Json;

namespace FastScore.Streams.Schemas.Json;

/// <summary>Which JSON values a schema node can start with (to pick union branches without trying them all).</summary>
[Flags]
internal enum JsonKinds
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Number = 4,
    String = 8,
    Object = 16,
    Array = 32,
}

/// <summary>
/// One node of a compiled schema. <see cref="Check"/> is called with the reader on the first token of a value and
/// returns with it on the value's last token (the same token for scalars, the end token for containers).
/// </summary>
internal abstract class SchemaNode
{
    /// <summary>Gets the name used in messages: <c>float</c>, <c>record Iris</c>, <c>array</c>, …</summary>
    public abstract string DisplayName { get; }

    public abstract JsonKinds Kinds { get; }

    public abstract bool Check(ref Utf8JsonReader reader, ref CheckContext context);

    /// <summary>
    /// The fast path: proves the value starting at <paramref name="pos"/> (its first byte, no whitespace) valid and
    /// moves past it. <see langword="false"/> means "not proven" (invalid, or not handled here): the caller then
    /// runs <see cref="Check"/>. It must never accept a value <see cref="Check"/> rejects.
    /// </summary>
    public abstract bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth);

    public static JsonKinds KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.Null => JsonKinds.Null,
        JsonTokenType.True or JsonTokenType.False => JsonKinds.Boolean,
        JsonTokenType.Number => JsonKinds.Number,
        JsonTokenType.String => JsonKinds.String,
        JsonTokenType.StartObject => JsonKinds.Object,
        JsonTokenType.StartArray => JsonKinds.Array,
        _ => JsonKinds.None,
    };
}

internal sealed class NullNode : SchemaNode
{
    public static readonly NullNode Instance = new();

    public override string DisplayName => "null";

    public override JsonKinds Kinds => JsonKinds.Null;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context) =>
        reader.TokenType == JsonTokenType.Null || context.Fail(ref reader, "null");

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth) => ScanNull(json, ref pos);

    /// <summary>The scan of <c>null</c> (also called by emitted record scanners).</summary>
    public static bool ScanNull(ReadOnlySpan<byte> json, ref int pos) => Literal(json, ref pos, "null"u8);

    internal static bool Literal(ReadOnlySpan<byte> json, ref int pos, ReadOnlySpan<byte> literal)
    {
        if ((uint)pos <= (uint)json.Length && json[pos..].StartsWith(literal))
        {
            pos += literal.Length;
            return true;
        }

        return false;
    }
}

internal sealed class BooleanNode : SchemaNode
{
    public static readonly BooleanNode Instance = new();

    public override string DisplayName => "boolean";

    public override JsonKinds Kinds => JsonKinds.Boolean;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context) =>
        reader.TokenType is JsonTokenType.True or JsonTokenType.False || context.Fail(ref reader, "boolean");

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth) => ScanBoolean(json, ref pos);

    /// <summary>The scan of a boolean (also called by emitted record scanners).</summary>
    public static bool ScanBoolean(ReadOnlySpan<byte> json, ref int pos) =>
        NullNode.Literal(json, ref pos, "true"u8) || NullNode.Literal(json, ref pos, "false"u8);
}

/// <summary><c>int</c>, and the logical types on it (<c>date</c>, <c>time-millis</c> with its range).</summary>
internal sealed class IntNode(string displayName, int min = int.MinValue, int max = int.MaxValue) : SchemaNode
{
    public static readonly IntNode Instance = new("int");

    public override string DisplayName => displayName;

    public override JsonKinds Kinds => JsonKinds.Number;

    /// <summary>Gets the smallest value accepted (the scan is <c>FastJson.ScanInteger(json, ref pos, Min, Max)</c>).</summary>
    public int Min => min;

    /// <summary>Gets the largest value accepted.</summary>
    public int Max => max;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context) =>
        (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value) && value >= min && value <= max)
        || context.Fail(ref reader, Expected);

    private string Expected => min == int.MinValue && max == int.MaxValue ? displayName : $"{displayName} ({min} to {max})";

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth) => FastJson.ScanInteger(json, ref pos, min, max);
}

/// <summary><c>long</c>, and the logical types on it (<c>time-micros</c> with its range, timestamps).</summary>
internal sealed class LongNode(string displayName, long min = long.MinValue, long max = long.MaxValue) : SchemaNode
{
    public static readonly LongNode Instance = new("long");

    public override string DisplayName => displayName;

    public override JsonKinds Kinds => JsonKinds.Number;

    /// <summary>Gets the smallest value accepted (the scan is <c>FastJson.ScanInteger(json, ref pos, Min, Max)</c>).</summary>
    public long Min => min;

    /// <summary>Gets the largest value accepted.</summary>
    public long Max => max;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context) =>
        (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value) && value >= min && value <= max)
        || context.Fail(ref reader, Expected);

    private string Expected => min == long.MinValue && max == long.MaxValue ? displayName : $"{displayName} ({min} to {max})";

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth) => FastJson.ScanInteger(json, ref pos, min, max);
}

/// <summary><c>float</c> and <c>double</c>: any JSON number that is finite in the type.</summary>
internal sealed class FloatingNode : SchemaNode
{
    public static readonly FloatingNode Float = new(isFloat: true);
    public static readonly FloatingNode Double = new(isFloat: false);

    private readonly bool _isFloat;
    private readonly int _safeIntegerDigits;

    private FloatingNode(bool isFloat)
    {
        _isFloat = isFloat;

        // Without an exponent, a number with at most this many integer digits is certainly finite in the type
        // (float.MaxValue ~ 3.4e38, double.MaxValue ~ 1.8e308), so no parsing is needed.
        _safeIntegerDigits = isFloat ? 38 : 308;
    }

    public override string DisplayName => _isFloat ? "float" : "double";

    /// <summary>Gets the integer digits a plain number may have (the scan is <c>FastJson.ScanPlainNumber(json, ref pos, SafeIntegerDigits)</c>).</summary>
    public int SafeIntegerDigits => _safeIntegerDigits;

    public override JsonKinds Kinds => JsonKinds.Number;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            return context.Fail(ref reader, DisplayName);
        }

        return IsPlainAndSmall(reader.ValueSpan, _safeIntegerDigits) || IsFinite(ref reader) || context.Fail(ref reader, DisplayName);
    }

    private bool IsFinite(ref Utf8JsonReader reader) =>
        reader.TryGetDouble(out double value) && (_isFloat ? float.IsFinite((float)value) : double.IsFinite(value));

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth) => FastJson.ScanPlainNumber(json, ref pos, _safeIntegerDigits);

    private static bool IsPlainAndSmall(ReadOnlySpan<byte> number, int safeIntegerDigits)
    {
        // The reader has already checked the JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        int digits = 0;
        for (int i = 0; i < number.Length; i++)
        {
            byte b = number[i];
            if (b == (byte)'.')
            {
                return number[(i + 1)..].IndexOfAny((byte)'e', (byte)'E') < 0 && digits <= safeIntegerDigits;
            }

            if (b is (byte)'e' or (byte)'E')
            {
                return false;
            }

            if (b != (byte)'-')
            {
                digits++;
            }
        }

        return digits <= safeIntegerDigits;
    }
}

internal sealed class StringNode : SchemaNode
{
    public static readonly StringNode Instance = new();

    public override string DisplayName => "string";

    public override JsonKinds Kinds => JsonKinds.String;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return context.Fail(ref reader, "string");
        }

        StringValues.EnsureText(ref reader);
        return true;
    }

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth) => ScanStringValue(json, ref pos);

    /// <summary>The scan of a string (also called by emitted record scanners).</summary>
    public static bool ScanStringValue(ReadOnlySpan<byte> json, ref int pos) => FastJson.ScanString(json, ref pos, out _);
}

/// <summary>
/// <c>bytes</c> (any length) and <c>fixed</c> (exact length): a JSON string whose characters are all in
/// U+0000–U+00FF, one per byte, as in Avro's JSON encoding.
/// </summary>
internal sealed class BytesNode(string displayName, int size = -1) : SchemaNode
{
    public static readonly BytesNode Instance = new("bytes");

    public override string DisplayName => displayName;

    public override JsonKinds Kinds => JsonKinds.String;

    public int Size => size;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            int length = StringValues.Latin1Length(ref reader);
            if (length >= 0 && (size < 0 || length == size))
            {
                return true;
            }
        }

        return context.Fail(ref reader, size < 0 ? displayName : $"{displayName} ({size} bytes)");
    }

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        int p = pos;
        if (FastJson.ScanString(json, ref p, out ReadOnlySpan<byte> content))
        {
            int length = StringValues.Latin1Length(content);
            if (length >= 0 && (size < 0 || length == size))
            {
                pos = p;
                return true;
            }
        }

        return false;
    }
}

internal sealed class UuidNode : SchemaNode
{
    public static readonly UuidNode Instance = new();

    public override string DisplayName => "uuid";

    public override JsonKinds Kinds => JsonKinds.String;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context) =>
        (reader.TokenType == JsonTokenType.String && StringValues.IsUuid(ref reader)) || context.Fail(ref reader, "uuid");

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        int p = pos;
        if (FastJson.ScanString(json, ref p, out ReadOnlySpan<byte> content) && StringValues.IsUuid(content))
        {
            pos = p;
            return true;
        }

        return false;
    }
}

internal sealed class EnumNode(string name, IReadOnlyList<string> symbols) : SchemaNode
{
    private readonly Utf8NameTable _symbols = new(symbols);

    public override string DisplayName => $"enum {name}";

    public override JsonKinds Kinds => JsonKinds.String;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context) =>
        (reader.TokenType == JsonTokenType.String && _symbols.Find(ref reader, -1) >= 0)
        || context.Fail(ref reader, $"one of [{string.Join(", ", symbols)}]");

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        int p = pos;
        if (FastJson.ScanString(json, ref p, out ReadOnlySpan<byte> content) && _symbols.Find(content, -1) >= 0)
        {
            pos = p;
            return true;
        }

        return false;
    }
}

/// <summary>
/// <c>decimal</c>: the underlying <c>bytes</c>/<c>fixed</c> string, or a plain JSON number whose digits fit the
/// precision and scale.
/// </summary>
internal sealed class DecimalNode(SchemaNode underlying, int precision, int scale) : SchemaNode
{
    public override string DisplayName => $"decimal({precision},{scale})";

    public override JsonKinds Kinds => JsonKinds.String | JsonKinds.Number;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return Fits(reader.ValueSpan) || context.Fail(ref reader, DisplayName);
        }

        return reader.TokenType == JsonTokenType.String
            ? underlying.Check(ref reader, ref context)
            : context.Fail(ref reader, DisplayName);
    }

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        if ((uint)pos < (uint)json.Length && json[pos] == (byte)'"')
        {
            return underlying.Scan(json, ref pos, depth);
        }

        int p = pos;
        if (FastJson.ScanNumber(json, ref p, out _) && Fits(json[pos..p]))
        {
            pos = p;
            return true;
        }

        return false;
    }

    private bool Fits(ReadOnlySpan<byte> number)
    {
        // Digits d1..dn with the decimal point after `point` digits, times 10^exponent.
        int e = number.IndexOfAny((byte)'e', (byte)'E');
        int exponent = 0;
        if (e >= 0)
        {
            if (!int.TryParse(number[(e + 1)..], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out exponent))
            {
                return false;
            }

            number = number[..e];
        }

        if (!number.IsEmpty && number[0] == (byte)'-')
        {
            number = number[1..];
        }

        int dot = number.IndexOf((byte)'.');
        ReadOnlySpan<byte> integer = dot < 0 ? number : number[..dot];
        ReadOnlySpan<byte> fraction = dot < 0 ? [] : number[(dot + 1)..];
        integer = integer.TrimStart((byte)'0');
        fraction = fraction.TrimEnd((byte)'0');
        long point;
        long significant;
        if (integer.IsEmpty)
        {
            ReadOnlySpan<byte> digits = fraction.TrimStart((byte)'0');
            if (digits.IsEmpty)
            {
                return true; // zero
            }

            point = exponent - (long)(fraction.Length - digits.Length);
            significant = digits.Length;
        }
        else
        {
            point = integer.Length + (long)exponent;
            significant = fraction.IsEmpty ? integer.TrimEnd((byte)'0').Length : integer.Length + fraction.Length;
        }

        long integerDigits = Math.Max(0, point);
        long fractionDigits = Math.Max(0, significant - point);
        return fractionDigits <= scale && integerDigits <= precision - scale;
    }
}
