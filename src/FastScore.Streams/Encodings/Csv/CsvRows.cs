using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Encodings.Csv;

/// <summary>Splits and checks whole rows against a layout; the fields go to a per-thread buffer.</summary>
internal static class CsvRows
{
    [ThreadStatic]
    private static CsvField[]? t_fields;

    /// <summary>A per-thread buffer for the fields of a row of <paramref name="columns"/> columns (one more, to see extra fields).</summary>
    public static CsvField[] Buffer(int columns)
    {
        CsvField[]? fields = t_fields;
        if (fields is null || fields.Length < columns + 1)
        {
            t_fields = fields = new CsvField[Math.Max(16, columns + 1)];
        }

        return fields;
    }

    /// <summary>Splits a row and checks its syntax (UTF-8, quotes) and field count against <paramref name="columns"/>.</summary>
    /// <returns>Whether the row is well-formed with the right number of fields.</returns>
    public static bool TrySplit(ReadOnlySpan<byte> row, CsvFormat format, IReadOnlyList<CsvColumn> columns, Span<CsvField> fields, out RecordRejection rejection)
    {
        if (!Utf8.IsValid(row))
        {
            rejection = new RecordRejection(RejectionKind.Encoding, $"invalid UTF-8 at byte {FirstInvalidUtf8(row)}");
            return false;
        }

        if (!CsvRowParser.TryParse(row, format, fields, out int count, out string? error))
        {
            rejection = new RecordRejection(RejectionKind.Encoding, error!);
            return false;
        }

        if (count != columns.Count)
        {
            rejection = new RecordRejection(RejectionKind.Schema, $"the record has {count} field{(count == 1 ? "" : "s")}, not {columns.Count} ({Names(columns)})");
            return false;
        }

        rejection = default;
        return true;
    }

    /// <summary>Checks a whole row: syntax, field count, and each field's type.</summary>
    public static bool TryCheck(ReadOnlySpan<byte> row, CsvFormat format, IReadOnlyList<CsvColumn> columns, out RecordRejection rejection)
    {
        CsvField[] fields = Buffer(columns.Count);
        if (!TrySplit(row, format, columns, fields, out rejection))
        {
            return false;
        }

        for (int i = 0; i < columns.Count; i++)
        {
            if (CsvValues.Check(columns[i], row, fields[i]) is { } why)
            {
                rejection = new RecordRejection(RejectionKind.Schema, $"$.{columns[i].Name}: {why} (column {i + 1}, byte {fields[i].Start})");
                return false;
            }
        }

        return true;
    }

    /// <summary>The row as a JSON object (one property per column, typed by the column), written to <paramref name="output"/>.</summary>
    /// <exception cref="StreamFormatException">The row is not a valid record of the layout.</exception>
    public static void WriteJson(ReadOnlySpan<byte> row, CsvFormat format, IReadOnlyList<CsvColumn> columns, IBufferWriter<byte> output)
    {
        if (!TryCheck(row, format, columns, out RecordRejection rejection))
        {
            throw new StreamFormatException(rejection.Reason);
        }

        CsvField[] fields = Buffer(columns.Count);
        CsvRowParser.TryParse(row, format, fields, out _, out _);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartObject();
        for (int i = 0; i < columns.Count; i++)
        {
            json.WritePropertyName(columns[i].Name);
            CsvValues.WriteJson(json, columns[i], row, fields[i], format.Quote);
        }

        json.WriteEndObject();
    }

    public static string Names(IReadOnlyList<CsvColumn> columns) =>
        string.Join(", ", columns.Take(12).Select(c => c.Name)) + (columns.Count > 12 ? ", …" : "");

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> row)
    {
        int index = 0;
        while (index < row.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(row[index..], out _, out int consumed) != OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return index;
    }
}
