using System.Buffers;
using System.Runtime.CompilerServices;
using FastScore.Streams.Encodings;
using FastScore.Streams.Transports;

namespace FastScore.Streams;

/// <summary>
/// A batch of input records, in order: their bytes (in one pooled buffer), sequence numbers, control records and
/// transport metadata. Records move between pipeline stages in batches, never one hop per record.
/// </summary>
/// <remarks>Dispose the batch (or let the engine do it) to return its buffer to the pool. Not thread-safe.</remarks>
public sealed class RecordBatch : IDisposable
{
    private byte[] _buffer;
    private int _used;
    private Entry[] _entries;
    private int _count;
    private ControlRecord[]? _controls; // only once the batch holds a control record: most batches hold none
    private MessageMetadata?[]? _metadata; // only once a record has metadata: file records have none

    internal RecordBatch(int initialBytes = 16 * 1024, int initialRecords = 128)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialBytes);
        _entries = ArrayPool<Entry>.Shared.Rent(initialRecords);
    }

    /// <summary>Gets the number of records (data and control) in the batch.</summary>
    public int Count => _count;

    /// <summary>Gets how many records the batch holds before its index grows.</summary>
    internal int RecordCapacity => _entries.Length;

    /// <summary>Gets the total size in bytes of the records.</summary>
    public int ByteCount => _used;

    /// <summary>Gets the last transport message the batch covers (used to acknowledge it), if any.</summary>
    public InputMessage? LastMessage { get; internal set; }

    /// <summary>Gets or sets when the input handed the batch on (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), for the engine's latency metric and batch spans.</summary>
    internal long ReadTimestamp { get; set; }

    /// <summary>Gets a value indicating whether the input reached end of stream after this batch.</summary>
    public bool IsEndOfStream { get; internal set; }

    /// <summary>Gets a value indicating whether the batch holds at least one control record.</summary>
    internal bool HasControl { get; private set; }

    /// <summary>Gets the host values of the data records, when the input decodes on its producer task (see <see cref="RecordDecoder"/>).</summary>
    internal DecodedValues? Values { get; private set; }

    /// <summary>Gets the bytes of record <paramref name="index"/>.</summary>
    /// <param name="index">The record index in the batch.</param>
    /// <returns>The bytes, valid until the batch is disposed.</returns>
    public ReadOnlySpan<byte> GetSpan(int index)
    {
        ref Entry e = ref Get(index);
        return new ReadOnlySpan<byte>(_buffer, e.Offset, e.Length);
    }

    /// <summary>Gets the bytes of record <paramref name="index"/> as memory.</summary>
    /// <param name="index">The record index in the batch.</param>
    /// <returns>The bytes, valid until the batch is disposed.</returns>
    public ReadOnlyMemory<byte> GetMemory(int index)
    {
        ref Entry e = ref Get(index);
        return new ReadOnlyMemory<byte>(_buffer, e.Offset, e.Length);
    }

    /// <summary>Gets the sequence number (1-based, per input stream) of record <paramref name="index"/>; 0 for control records.</summary>
    /// <param name="index">The record index in the batch.</param>
    /// <returns>The sequence number.</returns>
    public long GetSequenceNumber(int index) => Get(index).SequenceNumber;

    /// <summary>Gets the control record at <paramref name="index"/>, or a record of kind <see cref="ControlKind.None"/> for data.</summary>
    /// <param name="index">The record index in the batch.</param>
    /// <returns>The control record.</returns>
    public ControlRecord GetControl(int index)
    {
        Get(index); // range check
        return _controls is { } controls ? controls[index] : default;
    }

    /// <summary>Gets the transport metadata of record <paramref name="index"/>, if any.</summary>
    /// <param name="index">The record index in the batch.</param>
    /// <returns>The metadata.</returns>
    public MessageMetadata? GetMetadata(int index)
    {
        Get(index); // range check
        return _metadata?[index];
    }

    /// <summary>Returns the buffers to the pool.</summary>
    public void Dispose()
    {
        byte[] buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            Values?.Dispose();
            Values = null;
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<Entry>.Shared.Return(_entries);
            _entries = [];
            ReturnSide(ref _controls, _count);
            ReturnSide(ref _metadata, _count);
            _count = 0;
        }
    }

    /// <summary>Copies a record into the batch and returns the copy (to be checked; see <see cref="RemoveLast"/>).</summary>
    internal Span<byte> Append(in ReadOnlySequence<byte> record, long sequenceNumber, MessageMetadata? metadata)
    {
        int length = checked((int)record.Length);
        Span<byte> target = Reserve(length, sequenceNumber, metadata);
        record.CopyTo(target);
        return target;
    }

    /// <summary>Copies a record into the batch and returns the copy.</summary>
    internal Span<byte> Append(ReadOnlySpan<byte> record, long sequenceNumber, MessageMetadata? metadata)
    {
        Span<byte> target = Reserve(record.Length, sequenceNumber, metadata);
        record.CopyTo(target);
        return target;
    }

    /// <summary>Gets where record <paramref name="index"/> lies in the batch's bytes (see <see cref="CopyBytesTo"/>).</summary>
    internal (int Offset, int Length) GetBounds(int index)
    {
        ref Entry e = ref Get(index);
        return (e.Offset, e.Length);
    }

    /// <summary>Copies the bytes of every record, in order (<see cref="ByteCount"/> bytes), to <paramref name="destination"/>.</summary>
    internal void CopyBytesTo(Span<byte> destination) => _buffer.AsSpan(0, _used).CopyTo(destination);

    internal DecodedValues<T> SetValues<T>(DecodedValues<T> values)
    {
        Values?.Dispose();
        Values = values;
        return values;
    }

    /// <summary>Gets the value decoded on the producer task for data record <paramref name="index"/>, if the batch has one of type <typeparamref name="T"/>.</summary>
    internal bool TryGetValue<T>(int index, out T value)
    {
        if (Values is DecodedValues<T> values && GetControl(index).Kind == ControlKind.None)
        {
            value = values.Items[index];
            return true;
        }

        value = default!;
        return false;
    }

    internal void SetLastControl(ControlRecord control)
    {
        _entries[_count - 1].SequenceNumber = 0;
        EnsureSide(ref _controls)[_count - 1] = control;
        HasControl = true;
    }

    /// <summary>Removes the last appended record (it was rejected).</summary>
    internal void RemoveLast()
    {
        _count--;
        _used = _entries[_count].Offset;
        if (_controls is not null)
        {
            _controls[_count] = default;
        }

        if (_metadata is not null)
        {
            _metadata[_count] = null;
        }
    }

    private Span<byte> Reserve(int length, long sequenceNumber, MessageMetadata? metadata)
    {
        if (_used + length > _buffer.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _used + length));
            _buffer.AsSpan(0, _used).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        if (_count == _entries.Length)
        {
            Grow();
        }

        if (metadata is not null)
        {
            EnsureSide(ref _metadata)[_count] = metadata;
        }

        _entries[_count++] = new Entry { Offset = _used, Length = length, SequenceNumber = sequenceNumber };
        Span<byte> target = _buffer.AsSpan(_used, length);
        _used += length;
        return target;
    }

    private void Grow()
    {
        Entry[] bigger = ArrayPool<Entry>.Shared.Rent(_entries.Length * 2);
        _entries.AsSpan(0, _count).CopyTo(bigger);
        ArrayPool<Entry>.Shared.Return(_entries);
        _entries = bigger;
        GrowSide(ref _controls, bigger.Length, _count);
        GrowSide(ref _metadata, bigger.Length, _count);
    }

    // The side arrays (controls, metadata) are as long as the entries once created; slots past the count are always clear
    // (RemoveLast clears the one it drops), so only the used ones need clearing when they go back to the pool.
    private TItem[] EnsureSide<TItem>(ref TItem[]? side)
    {
        if (side is null)
        {
            side = ArrayPool<TItem>.Shared.Rent(_entries.Length);
            side.AsSpan().Clear();
        }

        return side;
    }

    private static void GrowSide<TItem>(ref TItem[]? side, int length, int count)
    {
        if (side is not null)
        {
            TItem[] bigger = ArrayPool<TItem>.Shared.Rent(length);
            side.AsSpan(0, count).CopyTo(bigger);
            bigger.AsSpan(count).Clear();
            ReturnSide(ref side, count);
            side = bigger;
        }
    }

    private static void ReturnSide<TItem>(ref TItem[]? side, int count)
    {
        if (side is not null)
        {
            side.AsSpan(0, count).Clear();
            ArrayPool<TItem>.Shared.Return(side);
            side = null;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry Get(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            ThrowIndex(index);
        }

        return ref _entries[index];
    }

    private void ThrowIndex(int index) => throw new ArgumentOutOfRangeException(nameof(index), index, $"The batch holds {_count} records.");

    private struct Entry
    {
        public int Offset;
        public int Length;
        public long SequenceNumber;
    }
}
