namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// The place for an emitted (IL) method that reads a record's fields into a POCO in one body, as the json codec's
/// in-order reader does (see <see cref="AvroRecordReader{T}"/>). Not written yet: it returns <see langword="null"/>, and
/// records are read by the loop over the compiled field readers (which already meets the benchmark's goal, see
/// docs/performance.md). The <c>emit</c> switch of <see cref="AvroBinaryRecordEncoding"/> and the tests that run with it
/// on and off are in place for it.
/// </summary>
internal static class AvroPocoEmitter
{
    public static AvroRecordReader<T>.Fill? TryEmit<T>(AvroFieldReader<T>[] steps)
    {
        _ = steps;
        return null;
    }
}
