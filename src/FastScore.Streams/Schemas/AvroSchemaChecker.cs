using System.Text;
using System.Text.Unicode;

namespace FastScore.Streams.Schemas;

/// <summary>
/// A <see cref="SchemaChecker"/> for one Avro schema and one encoding. Create one with
/// the schema checker provider of the encoding, or directly with the subclass for the encoding.
/// </summary>
internal abstract class AvroSchemaChecker : SchemaChecker
{
    /// <summary>Creates the checker.</summary>
    /// <param name="schema">The Avro schema.</param>
    protected AvroSchemaChecker(Avro.Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
    }

    /// <summary>Gets the Avro schema records are checked against.</summary>
    public Avro.Schema Schema { get; }

    /// <summary>Whether <paramref name="schema"/> is <paramref name="type"/> (also as a logical type's base) or a union with such a branch.</summary>
    private protected static bool IsOrHas(Avro.Schema schema, Avro.Schema.Type type) => schema switch
    {
        Avro.UnionSchema union => union.Schemas.Any(s => IsOrHas(s, type)),
        Avro.LogicalSchema logical => logical.BaseSchema.Tag == type,
        _ => schema.Tag == type,
    };

    /// <summary>Checks that a record is UTF-8; on failure the rejection names the first bad byte.</summary>
    private protected static bool TryCheckUtf8(ReadOnlySpan<byte> record, out RecordRejection rejection)
    {
        if (Utf8.IsValid(record))
        {
            rejection = default;
            return true;
        }

        rejection = new RecordRejection(RejectionKind.Encoding, $"invalid UTF-8 at byte {FirstInvalidUtf8(record)}");
        return false;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> record)
    {
        int index = 0;
        while (index < record.Length)
        {
            if (Rune.DecodeFromUtf8(record[index..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return index;
    }
}
