using System.Buffers;

namespace FastScore.Streams.Encodings;

/// <summary>
/// Decodes <typeparamref name="T"/> records and, in the same pass, proves them valid for a stream's schema checker, so
/// the stream need not call <see cref="Schemas.SchemaChecker.TryCheck"/> for them. An encoding creates one in
/// <see cref="RecordEncoding.CreateCheckingDecoder{T}"/>; it is used by one stream's producer task at a time.
/// </summary>
/// <typeparam name="T">The host's type.</typeparam>
internal abstract class CheckingDecoder<T>
{
    /// <summary>
    /// Decodes a record when it can prove it a valid data record: not a control record, accepted by the checker the
    /// decoder was created for, and <paramref name="value"/> exactly what <see cref="RecordEncoding.Decode{T}"/> returns.
    /// </summary>
    /// <param name="record">The record's bytes.</param>
    /// <param name="value">The value, when decoded.</param>
    /// <returns><see langword="true"/> when decoded and proven valid; <see langword="false"/> when nothing is decided (the
    /// record then takes the usual way: control record, check, decode). Must not throw for bad data.</returns>
    public abstract bool TryDecodeValid(ReadOnlySpan<byte> record, out T value);

    /// <summary>
    /// Finds the end of the CSV row at the start of <paramref name="span"/> and decodes it in the same pass, for a framer
    /// whose <see cref="Envelopes.Framer.CsvLineRows"/> is <paramref name="rows"/>: what <see cref="TryDecodeValid"/> does
    /// with the record that framer would frame, when the decoder can prove it a valid data record and that the framer
    /// would frame exactly it (the row ends inside <paramref name="span"/>, is not empty, is at most
    /// <paramref name="maxLength"/> bytes). The default declines every row.
    /// </summary>
    /// <param name="span">The unread bytes of the current buffer; a row starts at its start.</param>
    /// <param name="rows">The framer's row syntax.</param>
    /// <param name="maxLength">The framer's <see cref="Envelopes.Framer.MaxRecordSize"/>.</param>
    /// <param name="consumed">How many bytes the row takes with its line feed.</param>
    /// <param name="value">The value, when decoded.</param>
    /// <returns>The row's length (the record's bytes start at <paramref name="span"/>'s start), or -1 when nothing is
    /// decided (the framer then frames the row, and it takes the usual way). Must not throw for bad data.</returns>
    public virtual int TryDecodeLineRow(ReadOnlySpan<byte> span, Csv.CsvFormat rows, int maxLength, out int consumed, out T value)
    {
        consumed = 0;
        value = default!;
        return -1;
    }

    /// <summary>
    /// What <see cref="TryDecodeLineRow"/> does, for consecutive rows from the start of <paramref name="span"/>, in one
    /// call: row <c>i</c> starts at <c>i == 0 ? 0 : ends[i - 1]</c>, has the length <c>lengths[i]</c> and the value
    /// <c>values[i]</c>, and ends (past its line feed) at <c>ends[i]</c>. It stops at the first row it does not prove (and
    /// after <paramref name="count"/> rows), which then takes <see cref="TryDecodeLineRow"/> or the framer, so records,
    /// rejections and positions are what row-by-row decoding gives. The default decodes none.
    /// </summary>
    /// <returns>How many rows were decoded, at most <paramref name="count"/>. Must not throw for bad data.</returns>
    public virtual int TryDecodeLineRows(ReadOnlySpan<byte> span, Csv.CsvFormat rows, int maxLength, T[] values, int[] lengths, int[] ends, int count) => 0;

    /// <summary>Gets a value indicating whether <see cref="TryDecodeLineRows"/> may decode rows (false: it decodes none, and
    /// callers need not call it).</summary>
    public virtual bool DecodesLineRows => false;
}

/// <summary>
/// Encodes <typeparamref name="T"/> values into records that are valid, by construction, for a stream's schema checker, so
/// the stream need not call <see cref="Schemas.SchemaChecker.TryCheck"/> for them. An encoding creates one in
/// <see cref="RecordEncoding.CreateValidEncoder{T}"/>; it is used by one stream's producer at a time.
/// </summary>
/// <typeparam name="T">The host's type.</typeparam>
internal abstract class ValidEncoder<T>
{
    /// <summary>
    /// Encodes a value when what it writes is certainly accepted by the checker the encoder was created for, and is what
    /// <see cref="RecordEncoding.Encode{T}"/> would write.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="output">Where the bytes go.</param>
    /// <returns><see langword="true"/> when written; <see langword="false"/> without writing anything when the value needs the
    /// usual way (encode, then check). Must not throw for values the usual way can encode.</returns>
    public abstract bool TryEncodeValid(T value, IBufferWriter<byte> output);
}
