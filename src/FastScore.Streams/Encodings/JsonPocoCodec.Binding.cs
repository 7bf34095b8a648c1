using System.Text;

namespace FastScore.Streams.Encodings;

/// <summary>
/// Binding the codec to the Avro schema records are checked against: when what it reads, or writes, is certainly valid
/// against the schema, the check can be skipped (see docs/schemas.md, "Checking and decoding in one pass").
/// </summary>
internal sealed partial class JsonPocoCodec<T>
{
    /// <summary>
    /// Binds reading to the schema records are checked against (<see langword="null"/>: JSON syntax only), for
    /// <see cref="TryReadValid"/>. Returns the mask of required fields by reader index, or <see langword="null"/> when a
    /// record the codec reads is not certainly valid against the schema (then every record is checked as usual).
    /// </summary>
    /// <remarks>
    /// A record the codec reads has only keys that are properties of <typeparamref name="T"/>, each once when the mask
    /// says so, with plain values of the property's JSON type. It is valid when every property is a field of the record
    /// schema whose (primitive, non-logical) type accepts every such value, and every required field is a property.
    /// </remarks>
    public ulong? BindReader(Avro.Schema? schema)
    {
        if (_create is null || _readers.Length > 64)
        {
            return null;
        }

        if (schema is null)
        {
            // JSON syntax only: what the codec reads is valid JSON, unless it is a control record's key.
            return _readers.Any(r => r.Name.SequenceEqual("$fastscore"u8)) ? null : 0;
        }

        if (schema is not Avro.RecordSchema record)
        {
            return null;
        }

        ulong required = 0;
        var bound = new bool[record.Fields.Count];
        for (int i = 0; i < _readers.Length; i++)
        {
            int field = FieldIndex(record, _readers[i]);
            if (field < 0 || !Accepts(record.Fields[field].Schema, _readers[i].ValueType, reading: true))
            {
                return null;
            }

            bound[field] = true;
            if (!IsOptional(record.Fields[field]))
            {
                required |= 1UL << i;
            }
        }

        return AllRequiredBound(record, bound) ? required : null;
    }

    /// <summary>
    /// Whether every value <see cref="TryWriteValid"/> writes is valid against <paramref name="schema"/> (the schema output
    /// records are checked against; <see langword="null"/>: JSON syntax only): each property is a field of the record
    /// schema whose (primitive, non-logical) type accepts every value the property can hold, and every required field is
    /// a property.
    /// </summary>
    public bool BindWriter(Avro.Schema? schema)
    {
        if (schema is null)
        {
            return true;
        }

        if (schema is not Avro.RecordSchema record)
        {
            return false;
        }

        var bound = new bool[record.Fields.Count];
        foreach (JsonPocoMember<T> writer in _writers)
        {
            int field = FieldIndex(record, writer);
            if (field < 0 || bound[field] || !Accepts(record.Fields[field].Schema, writer.ValueType, reading: false))
            {
                return false;
            }

            bound[field] = true;
        }

        return AllRequiredBound(record, bound);
    }

    private static int FieldIndex(Avro.RecordSchema record, JsonPocoMember<T> member)
    {
        for (int i = 0; i < record.Fields.Count; i++)
        {
            if (member.Name.SequenceEqual(Encoding.UTF8.GetBytes(record.Fields[i].Name)))
            {
                return i;
            }
        }

        return -1;
    }

    // As the schema checker decides it: a field with a default, or whose type accepts null, may be left out.
    private static bool IsOptional(Avro.Field field) =>
        field.DefaultValue is not null || field.Schema.Tag == Avro.Schema.Type.Null
        || (field.Schema is Avro.UnionSchema union && union.Schemas.Any(s => s.Tag == Avro.Schema.Type.Null));

    private static bool AllRequiredBound(Avro.RecordSchema record, bool[] bound)
    {
        for (int i = 0; i < bound.Length; i++)
        {
            if (!bound[i] && !IsOptional(record.Fields[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether an Avro field type accepts every JSON value the codec reads into (or writes from) a property of
    /// <paramref name="type"/>: reads are plain decimals of at most 7 (float) or 15 (double) significant digits and
    /// integers of at most 9 (int) or 18 (long) digits; writes are any finite float, double, int or long.
    /// </summary>
    private static bool Accepts(Avro.Schema field, Type type, bool reading)
    {
        if (field is not Avro.PrimitiveSchema primitive)
        {
            return false; // logical types (ranges), unions, nested types: checked as usual
        }

        Avro.Schema.Type tag = primitive.Tag;
        bool floating = tag is Avro.Schema.Type.Float or Avro.Schema.Type.Double;
        return type == typeof(float) ? floating
            : type == typeof(double) ? tag == Avro.Schema.Type.Double || (reading && tag == Avro.Schema.Type.Float)
            : type == typeof(int) ? floating || tag is Avro.Schema.Type.Int or Avro.Schema.Type.Long
            : type == typeof(long) ? floating || tag == Avro.Schema.Type.Long
            : type == typeof(bool) ? tag == Avro.Schema.Type.Boolean
            : type == typeof(string) && tag == Avro.Schema.Type.String;
    }
}
