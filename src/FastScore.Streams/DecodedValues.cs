using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using FastScore.Streams.Encodings;
using FastScore.Streams.Schemas;

namespace FastScore.Streams;

/// <summary>
/// Decodes checked records into host values on an input stream's producer task, so the consumer (the engine's loop)
/// receives batches whose records are already values. A record that cannot become the host type is rejected by
/// encoding there, as a schema rejection is.
/// </summary>
internal abstract class RecordDecoder
{
    /// <summary>Gets the host type.</summary>
    public abstract Type ValueType { get; }

    /// <summary>Gets a value indicating whether <see cref="TryDecodeValid"/> can prove records valid (see <see cref="Bind"/>).</summary>
    public abstract bool CanValidate { get; }

    /// <summary>Decodes record <paramref name="index"/> of <paramref name="batch"/> (whose bytes are <paramref name="record"/>) into the batch's values.</summary>
    /// <returns><see langword="false"/> with the reason when the record cannot become the host type.</returns>
    public abstract bool TryDecode(RecordBatch batch, int index, ReadOnlySpan<byte> record, [NotNullWhen(false)] out string? error);

    /// <summary>
    /// Decodes a record in the same pass that proves it valid for the stream's checker, when it can: <see langword="true"/>
    /// means the record is a valid data record (not a control record) and its value is in the batch; <see langword="false"/>
    /// means nothing was decided, and the record takes the usual way (control record, check, decode).
    /// </summary>
    public abstract bool TryDecodeValid(RecordBatch batch, int index, ReadOnlySpan<byte> record);

    /// <summary>
    /// Frames, decodes and proves valid the CSV row at the start of <paramref name="span"/> in one pass, for a framer whose
    /// <see cref="Envelopes.Framer.CsvLineRows"/> is <paramref name="rows"/> (<see cref="CheckingDecoder{T}.TryDecodeLineRow"/>):
    /// on success the row's bytes are appended to the batch as record <paramref name="sequenceNumber"/> with its value.
    /// </summary>
    /// <returns>The row's length, with <paramref name="consumed"/> the bytes it takes with its line feed; -1 when nothing
    /// was decided (the batch is as it was; the framer frames the row).</returns>
    public abstract int TryDecodeLineRow(RecordBatch batch, ReadOnlySpan<byte> span, Encodings.Csv.CsvFormat rows, int maxLength, long sequenceNumber, out int consumed);

    /// <summary>
    /// <see cref="TryDecodeLineRow"/> for consecutive rows from the start of <paramref name="span"/>, at most
    /// <paramref name="count"/>, in one call (<see cref="CheckingDecoder{T}.TryDecodeLineRows"/>): the rows taken are
    /// appended to the batch as records <paramref name="sequenceNumber"/> on; it stops at the first row it does not prove,
    /// which then takes <see cref="TryDecodeLineRow"/> or the framer.
    /// </summary>
    /// <returns>How many rows were appended, with <paramref name="consumed"/> the bytes they take with their line feeds and
    /// <paramref name="bytes"/> the records' bytes.</returns>
    /// <summary>Gets a value indicating whether <see cref="TryDecodeLineRows"/> may decode rows (false: callers need not call it).</summary>
    public virtual bool DecodesLineRows => false;

    public virtual int TryDecodeLineRows(RecordBatch batch, ReadOnlySpan<byte> span, Encodings.Csv.CsvFormat rows, int maxLength, long sequenceNumber, int count, out int consumed, out long bytes)
    {
        consumed = 0;
        bytes = 0;
        return 0;
    }

    /// <summary>
    /// Lets <see cref="TryDecodeValid"/> stand in for the stream's checker when the encoding can prove records valid
    /// for the checker while decoding them (<see cref="RecordEncoding.CreateCheckingDecoder{T}"/>: for example the
    /// <c>json</c> encoding, a flat POCO, a flat record schema).
    /// </summary>
    public abstract void Bind(SchemaChecker checker);

    /// <summary>Completes the values of a batch whose every record is checked and decoded, before it is handed on.</summary>
    public virtual void Seal(RecordBatch batch)
    {
    }
}

/// <inheritdoc />
internal sealed class RecordDecoder<T>(RecordEncoding encoding) : RecordDecoder
{
    private CheckingDecoder<T>? _checking;

    // Raw-bytes models: the checked records of a batch get one array per batch when it is sealed, not an array each (CheckedRecords).
    private SchemaChecker? _bytesChecker;

    public override Type ValueType => typeof(T);

    public override bool CanValidate => _checking is not null;

    public override void Bind(SchemaChecker checker)
    {
        _checking = encoding.CreateCheckingDecoder<T>(checker);
        _bytesChecker = typeof(T) == typeof(ReadOnlyMemory<byte>) && CheckedRecords.HandsBytesAsIs(encoding) ? checker : null;
    }

    public override void Seal(RecordBatch batch)
    {
        if (_bytesChecker is not null && batch.Values is DecodedValues<T> values)
        {
            CheckedRecords.Seal(batch, (ReadOnlyMemory<byte>[])(object)values.Items, _bytesChecker);
        }
    }

    public override bool TryDecodeValid(RecordBatch batch, int index, ReadOnlySpan<byte> record)
    {
        if (_checking is null || !_checking.TryDecodeValid(record, out T value))
        {
            return false;
        }

        Store(batch, index, value);
        return true;
    }

    public override int TryDecodeLineRow(RecordBatch batch, ReadOnlySpan<byte> span, Encodings.Csv.CsvFormat rows, int maxLength, long sequenceNumber, out int consumed)
    {
        consumed = 0;
        if (_checking is null)
        {
            return -1;
        }

        int length;
        T value;
        try
        {
            length = _checking.TryDecodeLineRow(span, rows, maxLength, out consumed, out value);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            consumed = 0;
            return -1; // a defect: the usual way frames the row and reports what its decoder throws
        }

        if (length < 0)
        {
            consumed = 0;
            return -1;
        }

        batch.Append(span[..length], sequenceNumber, null);
        Store(batch, batch.Count - 1, value);
        return length;
    }

    // The values, lengths and ends of the rows one TryDecodeLineRows call reads (kept: one producer task uses a decoder).
    private T[]? _rows;
    private int[]? _lengths;
    private int[]? _ends;

    // Rows left to the row-by-row way after a many-rows call threw (a member's setter or the constructor throwing on a
    // value): that call's rows are decoded again one by one, and the row that throws is reported there; without the pause
    // each following call would decode the same rows again up to the throwing row.
    private int _pause;

    public override bool DecodesLineRows => _checking is { DecodesLineRows: true };

    public override int TryDecodeLineRows(RecordBatch batch, ReadOnlySpan<byte> span, Encodings.Csv.CsvFormat rows, int maxLength, long sequenceNumber, int count, out int consumed, out long bytes)
    {
        consumed = 0;
        bytes = 0;
        if (_checking is null)
        {
            return 0;
        }

        if (_pause > 0)
        {
            _pause--; // the caller takes the next row one by one
            return 0;
        }

        T[] values = _rows ??= new T[64];
        int[] lengths = _lengths ??= new int[64];
        int[] ends = _ends ??= new int[64];
        int n;
        try
        {
            n = _checking.TryDecodeLineRows(span, rows, maxLength, values, lengths, ends, Math.Min(count, values.Length));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A setter, a constructor or a defect threw on one of the rows: the row-by-row way takes this call's rows and
            // reports what its decoder throws.
            Array.Clear(values);
            _pause = values.Length;
            return 0;
        }

        int start = 0;
        for (int i = 0; i < n; i++)
        {
            batch.Append(span.Slice(start, lengths[i]), sequenceNumber + i, null);
            Store(batch, batch.Count - 1, values[i]);
            values[i] = default!;
            bytes += lengths[i];
            start = ends[i];
        }

        consumed = start;
        return n;
    }

    public override bool TryDecode(RecordBatch batch, int index, ReadOnlySpan<byte> record, [NotNullWhen(false)] out string? error)
    {
        if (_bytesChecker is not null)
        {
            Store(batch, index, default!); // what Decode gives (the record's bytes) is set when the batch is sealed
            error = null;
            return true;
        }

        T value;
        try
        {
            value = encoding.Decode<T>(record);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = Internal.RecordFailure.Describe(ex); // bad data, or anything else this one record made the decoder throw
            return false;
        }

        Store(batch, index, value);
        error = null;
        return true;
    }

    private static void Store(RecordBatch batch, int index, T value)
    {
        DecodedValues<T> values = batch.Values as DecodedValues<T> ?? batch.SetValues(new DecodedValues<T>(batch.RecordCapacity));
        values.Set(index, value);
    }
}

/// <summary>The decoded values of a batch's data records, by record index (control records have none).</summary>
internal abstract class DecodedValues : IDisposable
{
    public abstract void Dispose();
}

/// <inheritdoc />
internal sealed class DecodedValues<T>(int capacity) : DecodedValues
{
    private T[] _items = ArrayPool<T>.Shared.Rent(capacity);
    private int _used; // one past the highest index set: only these need clearing

    /// <summary>Gets the values, by record index. Valid until the batch is disposed.</summary>
    public T[] Items => _items;

    public void Set(int index, T value)
    {
        if (index >= _items.Length)
        {
            T[] bigger = ArrayPool<T>.Shared.Rent(Math.Max(_items.Length * 2, index + 1));
            _items.AsSpan(0, _used).CopyTo(bigger);
            Return(_items, _used);
            _items = bigger;
        }

        _items[index] = value;
        _used = Math.Max(_used, index + 1);
    }

    public override void Dispose()
    {
        T[] items = _items;
        _items = [];
        if (items.Length > 0)
        {
            Return(items, _used);
        }
    }

    private static void Return(T[] items, int used)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            items.AsSpan(0, used).Clear(); // let the values be collected; the rest of the array was never written
        }

        ArrayPool<T>.Shared.Return(items);
    }
}
