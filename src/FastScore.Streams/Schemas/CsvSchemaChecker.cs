using FastScore.Streams.Encodings.Csv;

namespace FastScore.Streams.Schemas;

/// <summary>
/// Checks <c>csv</c> rows: valid UTF-8, well-formed quoting (RFC 4180), as many fields as the layout has columns, and
/// each field's text a value of its column's type (from the record schema; without a schema every column is text).
/// Syntax errors are rejections by encoding, a wrong field count or a value of the wrong type by schema; each names the
/// column or byte. Thread-safe; never throws for any bytes.
/// </summary>
internal sealed class CsvSchemaChecker : SchemaChecker
{
    /// <summary>Creates the checker.</summary>
    /// <param name="format">The delimiter and quote.</param>
    /// <param name="layout">The columns (the same instance the stream's envelope and encoding use).</param>
    public CsvSchemaChecker(CsvFormat format, CsvLayout layout)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(layout);
        Format = format;
        Layout = layout;
    }

    /// <summary>Gets the delimiter and quote.</summary>
    public CsvFormat Format { get; }

    /// <summary>Gets the columns.</summary>
    public CsvLayout Layout { get; }

    /// <inheritdoc />
    public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        if (Layout.Columns is not { } columns)
        {
            rejection = new RecordRejection(RejectionKind.Schema, "the csv stream has no schema and no header line was read, so its columns are unknown");
            return false;
        }

        return CsvRows.TryCheck(record, Format, columns, out rejection);
    }
}
