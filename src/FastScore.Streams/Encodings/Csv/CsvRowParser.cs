namespace FastScore.Streams.Encodings.Csv;

/// <summary>Where one field of a row lies: its text between <see cref="Start"/> and <see cref="End"/> (quotes excluded).</summary>
/// <param name="Start">The first byte of the field's text.</param>
/// <param name="End">The byte after the field's text.</param>
/// <param name="Quoted">Whether the field was quoted.</param>
/// <param name="Escaped">Whether the quoted text holds doubled quotes (to be undoubled).</param>
internal readonly record struct CsvField(int Start, int End, bool Quoted, bool Escaped)
{
    /// <summary>Gets the field's length in bytes (quotes excluded, doubled quotes counted twice).</summary>
    public int Length => End - Start;
}

/// <summary>
/// Splits one CSV record (one row, without its record separator) into fields, by RFC 4180: a field that starts with the
/// quote is quoted and ends at a quote that is not doubled, which must be followed by the delimiter or the end of the
/// row; an unquoted field ends at the delimiter and holds no quote. Never throws for any bytes: bad rows are refused
/// with the reason and the byte position in the row.
/// </summary>
internal static class CsvRowParser
{
    /// <summary>Splits <paramref name="row"/> into at most <paramref name="fields"/>' length fields.</summary>
    /// <param name="row">The row.</param>
    /// <param name="format">The delimiter and quote.</param>
    /// <param name="fields">Where the fields go.</param>
    /// <param name="count">How many fields the row holds (also when more than <paramref name="fields"/> holds: counting goes on).</param>
    /// <param name="error">Why the row is not CSV, with the byte position.</param>
    /// <returns>Whether the row is well-formed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> row, CsvFormat format, Span<CsvField> fields, out int count, out string? error)
    {
        count = 0;
        error = null;
        byte quote = format.Quote;
        ReadOnlySpan<byte> delimiter = format.Delimiter;
        int i = 0;
        while (true)
        {
            int start = i;
            if (i < row.Length && row[i] == quote)
            {
                // A quoted field.
                bool escaped = false;
                int j = i + 1;
                while (true)
                {
                    int next = row[j..].IndexOf(quote);
                    if (next < 0)
                    {
                        error = $"unbalanced quote: the quoted field that starts at byte {start} is not closed";
                        return false;
                    }

                    j += next;
                    if (j + 1 < row.Length && row[j + 1] == quote)
                    {
                        escaped = true;
                        j += 2;
                        continue;
                    }

                    break;
                }

                if (count < fields.Length)
                {
                    fields[count] = new CsvField(start + 1, j, true, escaped);
                }

                count++;
                i = j + 1;
                if (i == row.Length)
                {
                    return true;
                }

                if (!row[i..].StartsWith(delimiter))
                {
                    error = $"a closing quote must be followed by the delimiter or the end of the record, found '{Show(row[i])}' at byte {i}";
                    return false;
                }

                i += delimiter.Length;
                continue;
            }

            // An unquoted field: up to the next delimiter.
            int end = delimiter.Length == 1 ? row[i..].IndexOf(delimiter[0]) : row[i..].IndexOf(delimiter);
            int stop = end < 0 ? row.Length : i + end;
            int stray = row[i..stop].IndexOf(quote);
            if (stray >= 0)
            {
                error = $"a quote inside an unquoted field at byte {i + stray} (quote the whole field and double the quote)";
                return false;
            }

            if (count < fields.Length)
            {
                fields[count] = new CsvField(i, stop, false, false);
            }

            count++;
            if (end < 0)
            {
                return true;
            }

            i = stop + delimiter.Length;
        }
    }

    /// <summary>The field's text with doubled quotes undoubled, written to <paramref name="destination"/>; returns the length.</summary>
    public static int Unescape(ReadOnlySpan<byte> text, byte quote, Span<byte> destination)
    {
        int written = 0;
        for (int i = 0; i < text.Length; i++)
        {
            destination[written++] = text[i];
            if (text[i] == quote)
            {
                i++; // the second quote of a pair
            }
        }

        return written;
    }

    /// <summary>A byte shown in a message: printable ASCII as itself, anything else as hex.</summary>
    public static string Show(byte b) => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"0x{b:X2}";
}
