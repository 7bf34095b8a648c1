using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Encodings;

/// <summary>
/// The pass-through fast path for models over a record's raw bytes (<see cref="ReadOnlyMemory{T}"/> of <see cref="byte"/>):
/// when an input stream hands a batch on, it copies the batch's bytes into one array of exactly their size (one copy per
/// batch, not an array per record) and remembers which checker accepted the records and where each begins and ends. An output stream whose checker is that same checker
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

    // Data record i is [_starts[i], _ends[i]) of the array, in increasing order (control records are left out).
    private readonly int[] _starts;
    private readonly int[] _ends;
    private readonly int _count;

    private CheckedRecords(byte[] array, int[] starts, int[] ends, int count, SchemaChecker checker)
    {
        _starts = starts;
        _ends = ends;
        _count = count;
        Checker = checker;
        s_chunks.Add(array, this);
    }

    /// <summary>Gets the checker that accepted every record of the array.</summary>
    public SchemaChecker Checker { get; }

    /// <summary>Whether <paramref name="encoding"/> decodes and encodes <see cref="ReadOnlyMemory{T}"/> as the record's bytes, unchanged.</summary>
    public static bool HandsBytesAsIs(RecordEncoding encoding) => encoding.HandsBytesAsIs;

    /// <summary>Whether records accepted by <paramref name="checker"/> may pass through: a built-in checker, whose verdict on the same bytes never changes.</summary>
    public static bool IsTrusted(SchemaChecker checker) => checker.HasStableVerdict;

    /// <summary>The pass-through encoder for an output stream, when <typeparamref name="T"/> is <see cref="ReadOnlyMemory{T}"/> of bytes and the encoding and checker allow it.</summary>
    public static ValidEncoder<T>? CreateEncoder<T>(RecordEncoding encoding, SchemaChecker checker) =>
        typeof(T) == typeof(ReadOnlyMemory<byte>) && HandsBytesAsIs(encoding) && IsTrusted(checker)
            ? (ValidEncoder<T>)(object)new PassThroughEncoder(checker)
            : null;

    /// <summary>
    /// Gives the data records of a batch their values: slices of one new array holding a copy of the batch's bytes
    /// (the batch's own buffer goes back to a pool, so it cannot be handed to a model). Called once, when the batch is
    /// complete (every record in it checked), on the producer task.
    /// </summary>
    /// <param name="batch">The batch.</param>
    /// <param name="values">The batch's values, by record index.</param>
    /// <param name="checker">The checker that accepted the batch's data records.</param>
    public static void Seal(RecordBatch batch, ReadOnlyMemory<byte>[] values, SchemaChecker checker)
    {
        byte[] array = GC.AllocateUninitializedArray<byte>(batch.ByteCount);
        batch.CopyBytesTo(array);
        int n = batch.Count;
        int[] starts = new int[n];
        int[] ends = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            if (batch.GetControl(i).Kind != ControlKind.None)
            {
                continue;
            }

            (int offset, int length) = batch.GetBounds(i);
            values[i] = new ReadOnlyMemory<byte>(array, offset, length);
            starts[count] = offset;
            ends[count++] = offset + length;
        }

        _ = new CheckedRecords(array, starts, ends, count, checker); // found again through the array
    }

    /// <summary>Finds the records an array holds.</summary>
    public static bool TryFind(byte[] array, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckedRecords? records) => s_chunks.TryGetValue(array, out records);

    /// <summary>Whether [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) of the array is exactly one data record.</summary>
    /// <param name="offset">Where the value starts in the array.</param>
    /// <param name="length">Its length.</param>
    /// <param name="hint">The index to try first (the record after the last one found: models emit in order); updated.</param>
    public bool IsRecord(int offset, int length, ref int hint)
    {
        if (length <= 0)
        {
            return false; // an empty value could be any empty record, or none: the usual way decides
        }

        int i = hint;
        if ((uint)i >= (uint)_count || _starts[i] != offset)
        {
            i = Array.BinarySearch(_starts, 0, _count, offset);
            if (i < 0)
            {
                return false;
            }
        }

        hint = i + 1;
        return _ends[i] == offset + length;
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
