using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace FastScore.Streams.Encodings.Csv;

/// <summary>Reads and writes the text of CSV fields by column type (invariant culture; never throws for bad text).</summary>
internal static class CsvValues
{
    /// <summary>Whether a field is null: empty and unquoted in a nullable column, or empty (quoted or not) in a nullable non-string column.</summary>
    public static bool IsNull(CsvColumn column, CsvField field) =>
        column.Nullable && field.Length == 0 && (!field.Quoted || column.Type != CsvType.String);

    /// <summary>Checks one field's text against its column's type.</summary>
    /// <returns><see langword="null"/> when valid; otherwise why not (without the position).</returns>
    public static string? Check(CsvColumn column, ReadOnlySpan<byte> row, CsvField field)
    {
        if (IsNull(column, field))
        {
            return null;
        }

        ReadOnlySpan<byte> text = row[field.Start..field.End];
        bool ok = column.Type switch
        {
            CsvType.String => true,
            CsvType.Int => CsvNumbers.TryParseInt(text, out _),
            CsvType.Long => CsvNumbers.TryParseLong(text, out _),
            CsvType.Float => CsvNumbers.TryParseFloat(text, out _),
            CsvType.Double => CsvNumbers.TryParseDouble(text, out _),
            CsvType.Boolean => TryBoolean(text, out _),
            CsvType.Enum => IndexOfSymbol(column, row, field) >= 0,
            _ => false,
        };
        return ok ? null : $"{Quote(row, field)} is not {Article(column)}";
    }

    /// <summary>The text of a field as shown in a message (at most 40 characters).</summary>
    public static string Quote(ReadOnlySpan<byte> row, CsvField field)
    {
        ReadOnlySpan<byte> text = row[field.Start..Math.Min(field.End, field.Start + 120)];
        string shown = Encoding.UTF8.GetString(text);
        if (shown.Length > 40)
        {
            shown = shown[..40] + "…";
        }

        return field.Length == 0 ? "an empty field" : "\"" + JsonEncodedText.Encode(shown).ToString() + "\"";
    }

    private static string Article(CsvColumn column) => column.Type switch
    {
        CsvType.Int => "an int",
        CsvType.Long => "a long",
        CsvType.Float => "a float",
        CsvType.Double => "a double",
        CsvType.Boolean => "a boolean (true or false)",
        CsvType.Enum => $"a symbol of the enum ({string.Join(", ", column.Symbols!.Take(10))}{(column.Symbols!.Count > 10 ? ", …" : "")})",
        _ => "a string",
    };

    /// <summary><c>true</c> or <c>false</c>, in any case.</summary>
    public static bool TryBoolean(ReadOnlySpan<byte> text, out bool value)
    {
        // Setting bit 0x20 lower-cases an ASCII letter and changes nothing else that could then match: the byte is one of
        // the two cases of the letter, as Ascii.EqualsIgnoreCase compares (a word read at once).
        if (text.Length == 4 && (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(text) | 0x2020_2020u) == 0x6575_7274u) // "true"
        {
            value = true;
            return true;
        }

        value = false;
        return text.Length == 5 && (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(text) | 0x2020_2020u) == 0x736C_6166u // "fals"
            && (text[4] | 0x20) == (byte)'e';
    }

    /// <summary>The index of the enum symbol a field holds, or -1.</summary>
    public static int IndexOfSymbol(CsvColumn column, ReadOnlySpan<byte> row, CsvField field)
    {
        ReadOnlySpan<byte> text = row[field.Start..field.End];
        IReadOnlyList<string> symbols = column.Symbols!;
        for (int i = 0; i < symbols.Count; i++)
        {
            string symbol = symbols[i];
            if (symbol.Length == text.Length && Ascii.Equals(text, symbol))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A field's text as a string, doubled quotes undoubled. The row must be valid UTF-8.</summary>
    public static string Text(ReadOnlySpan<byte> row, CsvField field, byte quote)
    {
        ReadOnlySpan<byte> text = row[field.Start..field.End];
        if (!field.Escaped)
        {
            return text.Length == 0 ? "" : Encoding.UTF8.GetString(text);
        }

        byte[]? rented = null;
        Span<byte> buffer = text.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(text.Length));
        int length = CsvRowParser.Unescape(text, quote, buffer);
        string result = Encoding.UTF8.GetString(buffer[..length]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return result;
    }

    /// <summary>Writes a field's value as JSON (the column's type; the field already checked).</summary>
    /// <exception cref="StreamFormatException">A float that JSON cannot carry (NaN, infinity).</exception>
    public static void WriteJson(Utf8JsonWriter json, CsvColumn column, ReadOnlySpan<byte> row, CsvField field, byte quote)
    {
        if (IsNull(column, field))
        {
            json.WriteNullValue();
            return;
        }

        ReadOnlySpan<byte> text = row[field.Start..field.End];
        switch (column.Type)
        {
            case CsvType.Int:
                _ = CsvNumbers.TryParseInt(text, out int n); // checked by TryCheck above
                json.WriteNumberValue(n);
                break;
            case CsvType.Long:
                _ = CsvNumbers.TryParseLong(text, out long l); // checked by TryCheck above
                json.WriteNumberValue(l);
                break;
            case CsvType.Float:
                _ = CsvNumbers.TryParseFloat(text, out float f); // checked by TryCheck above
                if (!float.IsFinite(f))
                {
                    throw new StreamFormatException($"$.{column.Name}: {f.ToString(CultureInfo.InvariantCulture)} has no JSON form");
                }

                json.WriteNumberValue(f);
                break;
            case CsvType.Double:
                _ = CsvNumbers.TryParseDouble(text, out double d); // checked by TryCheck above
                if (!double.IsFinite(d))
                {
                    throw new StreamFormatException($"$.{column.Name}: {d.ToString(CultureInfo.InvariantCulture)} has no JSON form");
                }

                json.WriteNumberValue(d);
                break;
            case CsvType.Boolean:
                TryBoolean(text, out bool b);
                json.WriteBooleanValue(b);
                break;
            default:
                if (field.Escaped)
                {
                    json.WriteStringValue(Text(row, field, quote));
                }
                else
                {
                    json.WriteStringValue(text);
                }

                break;
        }
    }

    /// <summary>Writes one field of text, quoted when it holds the delimiter, the quote or a line break, or is empty (an empty string, not null).</summary>
    public static void WriteText(IBufferWriter<byte> output, ReadOnlySpan<char> text, CsvFormat format)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> utf8 = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        OperationStatus status = Utf8.FromUtf16(text, utf8, out _, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            throw new StreamFormatException("a string holds an unpaired surrogate, which is not text");
        }

        WriteUtf8(output, utf8[..written], format);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes one field of UTF-8 text (see <see cref="WriteText"/>).</summary>
    public static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<byte> text, CsvFormat format)
    {
        bool quote = text.Length == 0 || text.IndexOfAny(format.Quote, (byte)'\r', (byte)'\n') >= 0 || text.IndexOf(format.Delimiter) >= 0
            || (format.Delimiter.Length > 1 && EndsInDelimiter(text, format.Delimiter));
        if (!quote)
        {
            output.Write(text);
            return;
        }

        int quotes = text.Count(format.Quote);
        Span<byte> destination = output.GetSpan(text.Length + quotes + 2);
        int at = 0;
        destination[at++] = format.Quote;
        foreach (byte b in text)
        {
            destination[at++] = b;
            if (b == format.Quote)
            {
                destination[at++] = b;
            }
        }

        destination[at++] = format.Quote;
        output.Advance(at);
    }

    // Whether the delimiter written after the text would be found earlier, overlapping the text's end (";" then ";;").
    private static bool EndsInDelimiter(ReadOnlySpan<byte> text, ReadOnlySpan<byte> delimiter)
    {
        for (int k = 1; k < delimiter.Length; k++)
        {
            if (text.EndsWith(delimiter[..k]) && delimiter[k..].SequenceEqual(delimiter[..^k]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes a number or boolean in its shortest invariant form.</summary>
    public static void WriteFormatted<TValue>(IBufferWriter<byte> output, TValue value)
        where TValue : IUtf8SpanFormattable
    {
        Span<byte> destination = output.GetSpan(64);
        if (!value.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture))
        {
            throw new StreamFormatException($"cannot format {value}");
        }

        output.Advance(written);
    }

    /// <summary>Writes <c>true</c> or <c>false</c>.</summary>
    public static void WriteBoolean(IBufferWriter<byte> output, bool value) => output.Write(value ? "true"u8 : "false"u8);
}
