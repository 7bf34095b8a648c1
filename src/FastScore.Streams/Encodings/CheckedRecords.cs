using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Encodings;

/// <summary>
/// The pass-through fast path for models over a record's raw bytes (<see cref="ReadOnlyMemory{T}"/> of <see cref="byte"/>):
/// an input stream copies the checked records of a batch into one array (not one array per record) and remembers which
/// checker accepted them and where each record begins and ends. An output stream whose checker is that same checker
/// then writes a value that is exactly one of those records without checking it again: the checker already accepted
/// these very bytes (see docs/performance.md, "TCP, HTTP and ODBC transports").
/// </summary>
/// <remarks>
/// Only the built-in checkers are trusted to give the same verdict twice on the same bytes, and only the encodings that
/// hand bytes over unchanged (<c>json</c>, <c>utf-8</c>, raw) take part. A value that is a slice of a record, or a record
/// of another stream or checker, takes the usual way (encode, then check). The records are read-only memory: a model
/// that writes into them through <see cref="MemoryMarshal"/> breaks that contract.
/// </remarks>
internal sealed class CheckedRecords
{
    private static readonly ConditionalWeakTable<byte[], CheckedRecords> s_chunks = new();

    private readonly byte[] _buffer;
    private int[] _ends = new int[64]; // record i is [_ends[i - 1] (0 for the first), _ends[i])
    private int _count;
    private int _used;

    private CheckedRecords(int size, SchemaChecker checker)
    {
        _buffer = GC.AllocateUninitializedArray<byte>(size);
        Checker = checker;
        s_chunks.Add(_buffer, this);
    }

    /// <summary>Gets the checker that accepted every record of the chunk.</summary>
    public SchemaChecker Checker { get; }

    /// <summary>Gets how many bytes the records take.</summary>
    public int Used => _used;

    /// <summary>Whether <paramref name="encoding"/> decodes and encodes <see cref="ReadOnlyMemory{T}"/> as the record's bytes, unchanged.</summary>
    public static bool HandsBytesAsIs(RecordEncoding encoding) =>
        encoding.GetType() == typeof(JsonRecordEncoding) || encoding.GetType() == typeof(RawRecordEncoding) || encoding.GetType() == typeof(Utf8RecordEncoding);

    /// <summary>Whether records accepted by <paramref name="checker"/> may pass through: a built-in checker, whose verdict on the same bytes never changes.</summary>
    public static bool IsTrusted(SchemaChecker checker) => checker.GetType().Assembly == typeof(CheckedRecords).Assembly;

    /// <summary>The pass-through encoder for an output stream, when <typeparamref name="T"/> is <see cref="ReadOnlyMemory{T}"/> of bytes and the encoding and checker allow it.</summary>
    public static ValidEncoder<T>? CreateEncoder<T>(RecordEncoding encoding, SchemaChecker checker) =>
        typeof(T) == typeof(ReadOnlyMemory<byte>) && HandsBytesAsIs(encoding) && IsTrusted(checker)
            ? (ValidEncoder<T>)(object)new PassThroughEncoder(checker)
            : null;

    /// <summary>Finds the chunk an array belongs to.</summary>
    public static bool TryFind(byte[] array, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckedRecords? records) => s_chunks.TryGetValue(array, out records);

    /// <summary>Whether [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of the chunk's array is exactly one record.</summary>
    public bool IsRecord(int offset, int length, ref int hint)
    {
        if (length <= 0)
        {
            return false;
        }

        int end = offset + length;
        int i = hint;
        if ((uint)i >= (uint)_count || _ends[i] != end)
        {
            i = Array.BinarySearch(_ends, 0, _count, end);
            if (i < 0)
            {
                return false;
            }
        }

        hint = i + 1;
        return (i == 0 ? 0 : _ends[i - 1]) == offset;
    }

    private bool HasRoom(int length) => _buffer.Length - _used >= length;

    private ReadOnlyMemory<byte> Append(ReadOnlySpan<byte> record)
    {
        int start = _used;
        record.CopyTo(_buffer.AsSpan(start));
        _used += record.Length;
        if (_count == _ends.Length)
        {
            Array.Resize(ref _ends, _count * 2);
        }

        _ends[_count++] = _used;
        return new ReadOnlyMemory<byte>(_buffer, start, record.Length);
    }

    /// <summary>
    /// An input stream's side (its producer task): copies checked records into chunks, one chunk or more per batch, never
    /// a chunk shared by two batches (the engine reads a batch's chunk while the producer fills the next batch).
    /// </summary>
    internal sealed class Writer(SchemaChecker checker)
    {
        private CheckedRecords? _chunk;
        private RecordBatch? _batch;
        private int _batchBytes;
        private int _nextSize = 16 * 1024;

        /// <summary>Copies a record the checker accepted and returns the copy.</summary>
        public ReadOnlyMemory<byte> Copy(RecordBatch batch, ReadOnlySpan<byte> record)
        {
            if (!ReferenceEquals(batch, _batch))
            {
                if (_batch is not null)
                {
                    _nextSize = Math.Clamp(_batchBytes, 4 * 1024, 4 * 1024 * 1024); // the next batch is likely as big
                }

                _batch = batch;
                _batchBytes = 0;
                _chunk = null;
            }

            if (_chunk is null || !_chunk.HasRoom(record.Length))
            {
                int size = _chunk is null ? _nextSize : Math.Min(_chunk._buffer.Length * 2, 4 * 1024 * 1024);
                _chunk = new CheckedRecords(Math.Max(size, record.Length), checker);
            }

            _batchBytes += record.Length;
            return _chunk.Append(record);
        }
    }

    /// <summary>An output stream's side: writes a value that is exactly one record its checker accepted, unchecked.</summary>
    private sealed class PassThroughEncoder(SchemaChecker checker) : ValidEncoder<ReadOnlyMemory<byte>>
    {
        private byte[]? _lastArray;
        private CheckedRecords? _last;
        private int _hint;

        public override bool TryEncodeValid(ReadOnlyMemory<byte> value, IBufferWriter<byte> output)
        {
            if (!MemoryMarshal.TryGetArray(value, out ArraySegment<byte> segment) || segment.Array is not { } array)
            {
                return false;
            }

            if (!ReferenceEquals(array, _lastArray))
            {
                _lastArray = array;
                _last = TryFind(array, out CheckedRecords? found) && ReferenceEquals(found.Checker, checker) ? found : null;
                _hint = 0;
            }

            if (_last is null || !_last.IsRecord(segment.Offset, segment.Count, ref _hint))
            {
                return false;
            }

            output.Write(value.Span);
            return true;
        }
    }
}
