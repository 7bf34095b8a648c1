using System.Buffers;
using FastScore.Streams.Encodings;

namespace FastScore.Streams;

/// <summary>
/// A batch of encoded output records on their way to an output stream. Records are encoded straight into one pooled
/// buffer (it is the <see cref="IBufferWriter{T}"/> encoders write to), then framed and written by the stream's writer task.
/// </summary>
internal sealed class OutputBatch : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _used;
    private int _committed; // the end of the last whole record (and its suffix), where the current record starts
    private (int Offset, int Length, ControlKind Control)[] _entries;
    private int _count;
    private IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>?[]? _headers;

    internal OutputBatch(int initialBytes = 16 * 1024, int initialRecords = 64)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialBytes);
        _entries = ArrayPool<(int, int, ControlKind)>.Shared.Rent(initialRecords);
    }

    /// <summary>Gets the number of records in the batch.</summary>
    public int Count => _count;

    /// <summary>Gets the total size of the records in bytes (with their frame suffixes, when the batch holds them framed).</summary>
    public int ByteCount => _committed;

    internal TaskCompletionSource? FlushCompletion { get; set; }

    /// <summary>
    /// Gets or sets the bytes written after each record (the envelope's frame suffix, see <see cref="Envelopes.Framer.RecordSuffix"/>):
    /// the batch then holds its records framed, in <see cref="Framed"/>. Set before the first record.
    /// </summary>
    internal byte[]? Suffix { get; set; }

    /// <summary>Gets the framed records (each followed by <see cref="Suffix"/>), when the batch has a suffix.</summary>
    internal ReadOnlyMemory<byte> Framed => _buffer.AsMemory(0, _committed);

    internal ReadOnlySpan<byte> GetRecordSpan(int index) => new(_buffer, _entries[index].Offset, _entries[index].Length);

    internal ReadOnlyMemory<byte> GetRecordMemory(int index) => new(_buffer, _entries[index].Offset, _entries[index].Length);

    internal ControlKind GetControl(int index) => _entries[index].Control;

    /// <summary>Gets a value indicating whether some record of the batch has message headers (see <see cref="SetLastHeaders"/>).</summary>
    internal bool HasHeaders => _headers is not null;

    /// <summary>Gets the message headers of a record, or null.</summary>
    internal IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? GetHeaders(int index) =>
        _headers is { } headers && index < headers.Length ? headers[index] : null;

    /// <summary>Gives the last record added message headers (written by transports that carry headers, e.g. Kafka; ignored by the others).</summary>
    internal void SetLastHeaders(IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? headers)
    {
        if (headers is null || _count == 0)
        {
            return;
        }

        if (_headers is null || _headers.Length < _count)
        {
            Array.Resize(ref _headers, Math.Max(_count, _entries.Length));
        }

        _headers[_count - 1] = headers;
    }

    /// <inheritdoc />
    public void Advance(int count) => _used += count;

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_used);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_used);
    }

    /// <summary>Returns the buffers to the pool.</summary>
    public void Dispose()
    {
        byte[] buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<(int, int, ControlKind)>.Shared.Return(_entries);
            _entries = [];
        }
    }

    /// <summary>Empties the batch, keeping its buffers (for reuse).</summary>
    internal void Clear()
    {
        _used = 0;
        _committed = 0;
        _count = 0;
        _headers = null;
    }

    /// <summary>
    /// Starts a record: everything written until <see cref="EndRecord"/> belongs to it. Bytes left after the last whole
    /// record (by an encoder that threw half way) are dropped first.
    /// </summary>
    internal void BeginRecord() => _used = _committed;

    /// <summary>Gets the bytes written since <see cref="BeginRecord"/>.</summary>
    internal ReadOnlySpan<byte> CurrentRecord => new(_buffer, _committed, _used - _committed);

    internal void EndRecord(ControlKind control = ControlKind.None)
    {
        if (_count == _entries.Length)
        {
            var bigger = ArrayPool<(int, int, ControlKind)>.Shared.Rent(_entries.Length * 2);
            _entries.AsSpan(0, _count).CopyTo(bigger);
            ArrayPool<(int, int, ControlKind)>.Shared.Return(_entries);
            _entries = bigger;
        }

        _entries[_count++] = (_committed, _used - _committed, control);
        if (Suffix is { } suffix)
        {
            Ensure(suffix.Length);
            suffix.CopyTo(_buffer.AsSpan(_used));
            _used += suffix.Length;
        }

        _committed = _used;
    }

    /// <summary>Drops the bytes written since <see cref="BeginRecord"/> (the record was rejected).</summary>
    internal void AbandonRecord() => _used = _committed;

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 256);
        if (_buffer.Length - _used < needed)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _used + needed));
            _buffer.AsSpan(0, _used).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
    }
}
