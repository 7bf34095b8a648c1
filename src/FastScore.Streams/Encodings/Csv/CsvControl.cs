using System.Buffers;
using System.Globalization;
using System.Text;

namespace FastScore.Streams.Encodings.Csv;

/// <summary>
/// The csv form of control records (FastScore defines none; this is ours, in the spirit of the utf-8 form): a row whose
/// first field is <c>$fastscore.end</c>, <c>$fastscore.set</c> or <c>$fastscore.pig</c>, optionally followed by the fields
/// id, timestamp and misc, in the stream's delimiter and quoting: <c>$fastscore.set</c>, <c>$fastscore.pig,7,1700000000000,"a, b"</c>.
/// Empty id and timestamp fields are absent; misc is absent when the row has no fourth field. A row with more than four
/// fields, or an id or timestamp that is not an integer, is a data row.
/// </summary>
internal static class CsvControl
{
    private const int MaxFields = 4;

    public static bool TryRead(ReadOnlySpan<byte> record, CsvFormat format, out ControlRecord control)
    {
        control = default;
        // Cheap turn-away: a control row starts with '$' (or a quote and then '$').
        if (record.Length < 14 || !(record[0] == (byte)'$' || (record[0] == format.Quote && record[1] == (byte)'$')))
        {
            return false;
        }

        Span<CsvField> fields = stackalloc CsvField[MaxFields + 1];
        if (!CsvRowParser.TryParse(record, format, fields, out int count, out _) || count is < 1 or > MaxFields)
        {
            return false;
        }

        string first = CsvValues.Text(record, fields[0], format.Quote);
        if (!first.StartsWith("$fastscore.", StringComparison.Ordinal) || !ControlWire.TryParseKind(Encoding.ASCII.GetBytes(first[11..]), out ControlKind kind))
        {
            return false;
        }

        int? id = null;
        long? timestamp = null;
        string? misc = null;
        if (count > 1 && CsvValues.Text(record, fields[1], format.Quote) is { Length: > 0 } idText)
        {
            if (!int.TryParse(idText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i))
            {
                return false;
            }

            id = i;
        }

        if (count > 2 && CsvValues.Text(record, fields[2], format.Quote) is { Length: > 0 } timestampText)
        {
            if (!long.TryParse(timestampText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long t))
            {
                return false;
            }

            timestamp = t;
        }

        if (count > 3)
        {
            misc = CsvValues.Text(record, fields[3], format.Quote);
        }

        control = new ControlRecord(kind, id, timestamp, misc);
        return true;
    }

    public static void Write(ControlRecord control, CsvFormat format, IBufferWriter<byte> output)
    {
        var text = new StringBuilder("$fastscore.").Append(ControlWire.KindName(control.Kind));
        if (control.Id is not null || control.Timestamp is not null || control.Misc is not null)
        {
            text.Append(format.DelimiterText).Append(control.Id?.ToString(CultureInfo.InvariantCulture))
                .Append(format.DelimiterText).Append(control.Timestamp?.ToString(CultureInfo.InvariantCulture));
            if (control.Misc is not null)
            {
                string quote = format.QuoteChar.ToString();
                text.Append(format.DelimiterText).Append(quote).Append(control.Misc.Replace(quote, quote + quote, StringComparison.Ordinal)).Append(quote);
            }
        }

        ByteValues.WriteUtf8(text.ToString(), output);
    }
}
