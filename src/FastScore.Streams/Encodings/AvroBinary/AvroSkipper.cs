using Avro;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// Reads past one value of a schema without materialising it, checking every byte on the way (the skip-parse): varints of
/// at most 64 bits (ints of 32), lengths and counts that fit in the record, UTF-8 strings, union branches and enum
/// ordinals in range, booleans 0 or 1, nesting at most <see cref="AvroCursor.MaxDepth"/> deep. Used by the avro-binary
/// checker, by the self-delimiting framer (where a record ends) and by decoders (fields the reader ignores).
/// </summary>
internal static class AvroSkipper
{

    /// <summary>Checks that <paramref name="record"/> is exactly one value of <paramref name="schema"/>.</summary>
    public static bool TryValidate(Schema schema, ReadOnlySpan<byte> record, out string reason, out bool isSchemaError)
    {
        var cursor = new AvroCursor(record);
        if (Skip(ref cursor, schema))
        {
            if (cursor.AtEnd)
            {
                reason = "";
                isSchemaError = false;
                return true;
            }

            reason = $"$: {record.Length - cursor.Position} bytes after the end of the record at byte {cursor.Position}";
            isSchemaError = false;
            return false;
        }

        reason = cursor.Describe();
        isSchemaError = cursor.IsSchemaError;
        return false;
    }

    /// <summary>Reads past one value of <paramref name="schema"/>.</summary>
    public static bool Skip(ref AvroCursor cursor, Schema schema)
    {
        if (schema is null)
        {
            return cursor.FailSchema("the schema is incomplete", cursor.Position);
        }

        switch (schema.Tag)
        {
            case Schema.Type.Null:
                return true;
            case Schema.Type.Boolean:
                return cursor.ReadBoolean(out _);
            case Schema.Type.Int:
                return cursor.ReadInt(out _);
            case Schema.Type.Long:
                return cursor.ReadLong(out _);
            case Schema.Type.Float:
                return cursor.ReadFloat(out _);
            case Schema.Type.Double:
                return cursor.ReadDouble(out _);
            case Schema.Type.Bytes:
                return cursor.ReadSpan(out _);
            case Schema.Type.String:
                return cursor.ReadUtf8(out _);
            case Schema.Type.Fixed:
                return cursor.ReadFixed(((FixedSchema)schema).Size, out _);
            case Schema.Type.Enumeration:
                return SkipEnum(ref cursor, (EnumSchema)schema);
            case Schema.Type.Logical:
                return Skip(ref cursor, ((LogicalSchema)schema).BaseSchema);
            case Schema.Type.Record:
            case Schema.Type.Error:
                return SkipRecord(ref cursor, (RecordSchema)schema);
            case Schema.Type.Array:
                return SkipBlocks(ref cursor, ((ArraySchema)schema).ItemSchema, map: false);
            case Schema.Type.Map:
                return SkipBlocks(ref cursor, ((MapSchema)schema).ValueSchema, map: true);
            case Schema.Type.Union:
                return SkipUnion(ref cursor, (UnionSchema)schema);
            default:
                return cursor.FailSchema($"unsupported schema type {schema.Tag}", cursor.Position);
        }
    }

    /// <summary>Reads an enum's ordinal and checks it against the symbols.</summary>
    public static bool SkipEnum(ref AvroCursor cursor, EnumSchema schema)
    {
        int start = cursor.Position;
        if (!cursor.ReadInt(out int ordinal))
        {
            return false;
        }

        return (uint)ordinal < (uint)schema.Symbols.Count
            || cursor.FailSchema($"enum {schema.Fullname} has no symbol {ordinal} (it has {schema.Symbols.Count})", start);
    }

    private static bool SkipRecord(ref AvroCursor cursor, RecordSchema schema)
    {
        if (!cursor.Enter())
        {
            return false;
        }

        List<Field> fields = schema.Fields;
        for (int i = 0; i < fields.Count; i++)
        {
            if (!Skip(ref cursor, fields[i].Schema))
            {
                return cursor.InField(fields[i].Name);
            }
        }

        cursor.Leave();
        return true;
    }

    private static bool SkipBlocks(ref AvroCursor cursor, Schema items, bool map)
    {
        if (!cursor.Enter())
        {
            return false;
        }

        int minBytes = map ? 1 + AvroSchemas.MinBytes(items) : AvroSchemas.MinBytes(items);
        long index = 0;
        while (true)
        {
            if (!cursor.NextBlock(minBytes, out long count))
            {
                return false;
            }

            if (count == 0)
            {
                break;
            }

            for (long i = 0; i < count; i++, index++)
            {
                if ((map && !cursor.ReadUtf8(out _)) || !Skip(ref cursor, items))
                {
                    return cursor.InItem(index);
                }
            }
        }

        cursor.Leave();
        return true;
    }

    private static bool SkipUnion(ref AvroCursor cursor, UnionSchema schema)
    {
        int start = cursor.Position;
        if (!cursor.ReadInt(out int branch))
        {
            return false;
        }

        if ((uint)branch >= (uint)schema.Count)
        {
            return cursor.FailSchema($"union branch {branch} does not exist (the union has {schema.Count})", start);
        }

        if (!cursor.Enter())
        {
            return false;
        }

        bool skipped = Skip(ref cursor, schema.Schemas[branch]);
        cursor.Leave();
        return skipped;
    }
}
