using System.Text;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Encodings.Csv;

/// <summary>
/// The csv encoding's syntax: the field <see cref="Delimiter"/> (UTF-8 bytes of any text, several characters allowed) and
/// the <see cref="Quote"/> character (ASCII). A field that starts with the quote runs to the next quote that is not
/// doubled; a doubled quote inside it is one quote (RFC 4180).
/// </summary>
internal sealed class CsvFormat
{
    /// <summary>The default format: <c>,</c> and <c>"</c>.</summary>
    public static readonly CsvFormat Default = new(",", '"');

    /// <summary>Creates a format.</summary>
    /// <param name="delimiter">The field delimiter.</param>
    /// <param name="quote">The quote character.</param>
    /// <exception cref="DescriptorException">The delimiter is empty or holds the quote or a line break, or the quote is not ASCII or is a line break.</exception>
    public CsvFormat(string delimiter, char quote)
    {
        ArgumentNullException.ThrowIfNull(delimiter);
        if (delimiter.Length == 0)
        {
            throw new DescriptorException("Encoding.Delimiter", "the delimiter must not be empty.");
        }

        if (quote > 0x7F || quote is '\r' or '\n' || char.IsControl(quote) && quote != '\t')
        {
            throw new DescriptorException("Encoding.QuoteCharacter", $"the quote character must be a printable ASCII character, not U+{(int)quote:X4}.");
        }

        if (delimiter.Contains(quote, StringComparison.Ordinal) || delimiter.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new DescriptorException("Encoding.Delimiter", $"the delimiter must not hold the quote character or a line break: \"{System.Text.Json.JsonEncodedText.Encode(delimiter)}\".");
        }

        DelimiterText = delimiter;
        Delimiter = Encoding.UTF8.GetBytes(delimiter);
        QuoteChar = quote;
        Quote = (byte)quote;
    }

    /// <summary>Gets the delimiter as text.</summary>
    public string DelimiterText { get; }

    /// <summary>Gets the delimiter's UTF-8 bytes.</summary>
    public byte[] Delimiter { get; }

    /// <summary>Gets the quote character.</summary>
    public char QuoteChar { get; }

    /// <summary>Gets the quote byte.</summary>
    public byte Quote { get; }

    /// <summary>Whether the delimiter starts at <paramref name="index"/> of <paramref name="text"/>.</summary>
    public bool DelimiterAt(ReadOnlySpan<byte> text, int index) =>
        Delimiter.Length == 1 ? text[index] == Delimiter[0] : text[index..].StartsWith(Delimiter);

    /// <summary>Whether <paramref name="other"/> has the same delimiter and quote (a stream's encoding and checker each build their own instance).</summary>
    public bool SameSyntax(CsvFormat? other) =>
        other is not null && (ReferenceEquals(this, other) || (Quote == other.Quote && QuoteChar == other.QuoteChar && Delimiter.AsSpan().SequenceEqual(other.Delimiter)));
}
