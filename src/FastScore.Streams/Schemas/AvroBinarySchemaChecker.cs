using FastScore.Streams.Encodings.AvroBinary;

namespace FastScore.Streams.Schemas;

/// <summary>
/// Checks avro-binary records against the stream's schema without materialising them (a skip-parse over the bytes): a
/// record is valid when it is exactly one value of the schema. A rejection names the field path and the byte position:
/// <c>$.petal_width: truncated (a float ends past the record) at byte 12</c>. Bytes the schema cannot describe (a
/// truncated value, an overlong varint, a negative length, text that is not UTF-8, bytes after the record) are rejected
/// by encoding; values outside the schema (a union branch or enum ordinal out of range, an int beyond 32 bits, a
/// boolean byte other than 0 and 1) by schema. Thread-safe.
/// </summary>
internal sealed class AvroBinarySchemaChecker(Avro.Schema schema) : AvroSchemaChecker(schema)
{
    /// <inheritdoc />
    public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        if (AvroSkipper.TryValidate(Schema, record, out string reason, out bool isSchemaError))
        {
            rejection = default;
            return true;
        }

        rejection = new RecordRejection(isSchemaError ? RejectionKind.Schema : RejectionKind.Encoding, reason);
        return false;
    }
}
