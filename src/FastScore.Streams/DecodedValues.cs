using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using FastScore.Streams.Encodings;

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

    /// <summary>Decodes record <paramref name="index"/> of <paramref name="batch"/> (whose bytes are <paramref name="record"/>) into the batch's values.</summary>
    /// <returns><see langword="false"/> with the reason when the record cannot become the host type.</returns>
    public abstract bool TryDecode(RecordBatch batch, int index, ReadOnlySpan<byte> record, [NotNullWhen(false)] out string? error);
}

/// <inheritdoc />
internal sealed class RecordDecoder<T>(RecordEncoding encoding) : RecordDecoder
{
    public override Type ValueType => typeof(T);

    public override bool TryDecode(RecordBatch batch, int index, ReadOnlySpan<byte> record, [NotNullWhen(false)] out string? error)
    {
        T value;
        try
        {
            value = encoding.Decode<T>(record);
        }
        catch (StreamFormatException ex)
        {
            error = ex.Message;
            return false;
        }

        DecodedValues<T> values = batch.Values as DecodedValues<T> ?? batch.SetValues(new DecodedValues<T>());
        values.Set(index, value);
        error = null;
        return true;
    }
}

/// <summary>The decoded values of a batch's data records, by record index (control records have none).</summary>
internal abstract class DecodedValues : IDisposable
{
    public abstract void Dispose();
}

/// <inheritdoc />
internal sealed class DecodedValues<T> : DecodedValues
{
    private T[] _items = ArrayPool<T>.Shared.Rent(128);

    /// <summary>Gets the values, by record index. Valid until the batch is disposed.</summary>
    public T[] Items => _items;

    public void Set(int index, T value)
    {
        if (index >= _items.Length)
        {
            T[] bigger = ArrayPool<T>.Shared.Rent(Math.Max(_items.Length * 2, index + 1));
            _items.AsSpan().CopyTo(bigger);
            Return(_items);
            _items = bigger;
        }

        _items[index] = value;
    }

    public override void Dispose()
    {
        T[] items = _items;
        _items = [];
        if (items.Length > 0)
        {
            Return(items);
        }
    }

    private static void Return(T[] items) => ArrayPool<T>.Shared.Return(items, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
}
