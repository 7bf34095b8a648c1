namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>Emits the method that reads a record's fields into a POCO (see <see cref="AvroRecordReader{T}"/>).</summary>
internal static class AvroPocoEmitter
{
    public static AvroRecordReader<T>.Fill? TryEmit<T>(AvroFieldReader<T>[] steps)
    {
        _ = steps;
        return null;
    }
}
