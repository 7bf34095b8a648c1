using System.Buffers;
using System.Collections;
using Avro;
using Avro.Generic;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// Avro binary ↔ Apache.Avro's generic representation, the values <c>GenericDatumReader</c> gives: <see cref="GenericRecord"/>,
/// <see cref="GenericEnum"/>, <see cref="GenericFixed"/>, <c>object[]</c> for arrays, <c>Dictionary&lt;string, object&gt;</c>
/// for maps, <see cref="byte"/>[] for bytes, the CLR primitives, and logical types converted as Apache.Avro converts them
/// (<c>AvroDecimal</c>, <see cref="Guid"/>, <see cref="DateTime"/>, <see cref="TimeSpan"/>).
/// </summary>
internal static class AvroGeneric
{
    /// <summary>Reads an enum ordinal and maps it to the reader's ordinal.</summary>
    public static bool ReadEnum(ref AvroCursor c, EnumPlan plan, out int readerOrdinal)
    {
        int start = c.Position;
        readerOrdinal = -1;
        if (!c.ReadInt(out int ordinal))
        {
            return false;
        }

        if ((uint)ordinal >= (uint)plan.Map.Length)
        {
            return c.FailSchema($"enum {plan.WriterEnum.Fullname} has no symbol {ordinal} (it has {plan.Map.Length})", start);
        }

        readerOrdinal = plan.Map[ordinal];
        return readerOrdinal >= 0
            || c.FailSchema($"the symbol {plan.WriterEnum.Symbols[ordinal]} is not in the reader's enum {plan.ReaderEnum.Fullname}", start);
    }

    /// <summary>Reads the value the cursor is at through <paramref name="plan"/>.</summary>
    public static bool Read(ref AvroCursor c, AvroPlan plan, out object? value)
    {
        int start = c.Position;
        if (!ReadBase(ref c, plan, out value))
        {
            return false;
        }

        if (plan.Reader is LogicalSchema logical && value is not null)
        {
            try
            {
                value = logical.LogicalType.ConvertToLogicalValue(value, logical);
            }
            catch (Exception ex) when (ex is AvroException or ArgumentException or OverflowException or FormatException or InvalidCastException)
            {
                return c.FailSchema($"not a {logical.LogicalTypeName}: {ex.Message}", start);
            }
        }

        return true;
    }

    private static bool ReadBase(ref AvroCursor c, AvroPlan plan, out object? value)
    {
        value = null;
        int start = c.Position;
        switch (plan)
        {
            case PrimitivePlan p:
                return ReadPrimitive(ref c, p, out value);
            case RecordPlan r:
            {
                if (!c.Enter())
                {
                    return false;
                }

                var record = new GenericRecord(r.ReaderRecord);
                foreach (RecordStep step in r.Steps)
                {
                    if (step.Plan is null)
                    {
                        if (!AvroSkipper.Skip(ref c, step.WriterField.Schema))
                        {
                            return c.InField(step.WriterField.Name);
                        }

                        continue;
                    }

                    if (!Read(ref c, step.Plan, out object? field))
                    {
                        return c.InField(step.ReaderField!.Name);
                    }

                    record.Add(step.ReaderField!.Pos, field);
                }

                foreach (DefaultStep step in r.Defaults)
                {
                    var defaults = new AvroCursor(step.Encoded);
                    if (!Read(ref defaults, step.Plan, out object? field))
                    {
                        return c.FailSchema($"the default of field '{step.ReaderField.Name}' cannot be read: {defaults.Describe()}", c.Position);
                    }

                    record.Add(step.ReaderField.Pos, field);
                }

                c.Leave();
                value = record;
                return true;
            }

            case EnumPlan e:
                if (!ReadEnum(ref c, e, out int k))
                {
                    return false;
                }

                value = new GenericEnum(e.ReaderEnum, e.ReaderEnum.Symbols[k]);
                return true;
            case FixedPlan f:
                if (!c.ReadFixed(f.Size, out ReadOnlySpan<byte> bytes))
                {
                    return false;
                }

                value = new GenericFixed(f.ReaderFixed, bytes.ToArray());
                return true;
            case ArrayPlan a:
            {
                var items = new List<object?>();
                if (!ReadBlocks(ref c, a.Items, items, null))
                {
                    return false;
                }

                value = items.ToArray();
                return true;
            }

            case MapPlan m:
            {
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                if (!ReadBlocks(ref c, m.Values, null, map))
                {
                    return false;
                }

                value = map;
                return true;
            }

            case WriterUnionPlan u:
            {
                if (!c.ReadBranch(u.Branches, u.Errors, out AvroPlan? inner))
                {
                    return false;
                }

                if (!c.Enter())
                {
                    return false;
                }

                bool read = Read(ref c, inner, out value);
                c.Leave();
                return read;
            }

            case ReaderUnionPlan ru:
                return Read(ref c, ru.Inner, out value);
            default:
                return c.FailSchema("unsupported plan", start);
        }
    }

    private static bool ReadPrimitive(ref AvroCursor c, PrimitivePlan p, out object? value)
    {
        value = null;
        switch (p.From)
        {
            case Schema.Type.Null:
                return true;
            case Schema.Type.Boolean:
            {
                bool ok = c.ReadBoolean(out bool b);
                value = b;
                return ok;
            }

            case Schema.Type.Int:
            {
                if (!c.ReadInt(out int i))
                {
                    return false;
                }

                value = p.To switch { Schema.Type.Long => (object)(long)i, Schema.Type.Float => (float)i, Schema.Type.Double => (double)i, _ => i };
                return true;
            }

            case Schema.Type.Long:
            {
                if (!c.ReadLong(out long l))
                {
                    return false;
                }

                value = p.To switch { Schema.Type.Float => (object)(float)l, Schema.Type.Double => (double)l, _ => l };
                return true;
            }

            case Schema.Type.Float:
            {
                if (!c.ReadFloat(out float f))
                {
                    return false;
                }

                value = p.To == Schema.Type.Double ? (object)(double)f : f;
                return true;
            }

            case Schema.Type.Double:
            {
                bool ok = c.ReadDouble(out double d);
                value = d;
                return ok;
            }

            case Schema.Type.String:
            case Schema.Type.Bytes:
            {
                int start = c.Position;
                if (!c.ReadSpan(out ReadOnlySpan<byte> bytes))
                {
                    return false;
                }

                if (p.To == Schema.Type.String)
                {
                    if (!System.Text.Unicode.Utf8.IsValid(bytes))
                    {
                        return c.Fail("a string that is not UTF-8", start);
                    }

                    value = System.Text.Encoding.UTF8.GetString(bytes);
                }
                else
                {
                    if (p.From == Schema.Type.String && !System.Text.Unicode.Utf8.IsValid(bytes))
                    {
                        return c.Fail("a string that is not UTF-8", start);
                    }

                    value = bytes.ToArray();
                }

                return true;
            }

            default:
                return c.FailSchema($"unsupported type {p.From}", c.Position);
        }
    }

    private static bool ReadBlocks(ref AvroCursor c, AvroPlan items, List<object?>? list, Dictionary<string, object?>? map)
    {
        if (!c.Enter())
        {
            return false;
        }

        int minBytes = map is not null ? 1 + AvroSchemas.MinBytes(items.Writer) : AvroSchemas.MinBytes(items.Writer);
        long index = 0;
        while (true)
        {
            if (!c.NextBlock(minBytes, out long count))
            {
                return false;
            }

            if (count == 0)
            {
                break;
            }

            for (long i = 0; i < count; i++, index++)
            {
                string? key = null;
                if (map is not null && !c.ReadString(out key))
                {
                    return c.InItem(index);
                }

                if (!Read(ref c, items, out object? item))
                {
                    return c.InItem(index);
                }

                if (map is not null)
                {
                    map[key!] = item;
                }
                else
                {
                    list!.Add(item);
                }
            }
        }

        c.Leave();
        return true;
    }

    // ---- generic value → Avro binary ----------------------------------------------------------------------------

    /// <summary>Writes a generic value as Avro binary of <paramref name="schema"/>.</summary>
    /// <exception cref="StreamFormatException">The value is not a value of the schema (the message names the path).</exception>
    public static void Write(Schema schema, object? value, ref AvroOutput output)
    {
        if (Write(schema, value, ref output, "$", 0) is { } error)
        {
            throw new StreamFormatException(error);
        }
    }

    private static string Mismatch(string path, Schema schema, object? value) =>
        $"{path}: expected {AvroSchemas.Describe(schema)}, got {(value is null ? "null" : value.GetType().Name)}";

    private static string? Write(Schema schema, object? value, ref AvroOutput output, string path, int depth)
    {
        if (depth > AvroCursor.MaxDepth)
        {
            return $"{path}: nested deeper than {AvroCursor.MaxDepth} levels";
        }

        if (schema is LogicalSchema logical)
        {
            if (value is not null)
            {
                try
                {
                    value = logical.LogicalType.ConvertToBaseValue(value, logical);
                }
                catch (Exception ex) when (ex is AvroException or ArgumentException or OverflowException or FormatException or InvalidCastException)
                {
                    return $"{path}: not a {logical.LogicalTypeName}: {ex.Message}";
                }
            }

            return Write(logical.BaseSchema, value, ref output, path, depth);
        }

        switch (schema.Tag)
        {
            case Schema.Type.Null:
                return value is null ? null : Mismatch(path, schema, value);
            case Schema.Type.Boolean when value is bool b:
                output.WriteBoolean(b);
                return null;
            case Schema.Type.Int when value is int i:
                output.WriteInt(i);
                return null;
            case Schema.Type.Long when value is long or int:
                output.WriteLong(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                return null;
            case Schema.Type.Float when value is float or int or long:
                output.WriteFloat(Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture));
                return null;
            case Schema.Type.Double when value is double or float or int or long:
                output.WriteDouble(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                return null;
            case Schema.Type.Bytes when value is byte[] bytes:
                output.WriteBytes(bytes);
                return null;
            case Schema.Type.String when value is string s:
                output.WriteString(s);
                return null;
            case Schema.Type.Enumeration:
            {
                var e = (EnumSchema)schema;
                string? symbol = value switch { GenericEnum g => g.Value, string s => s, _ => null };
                int ordinal = symbol is null ? -1 : e.Symbols.IndexOf(symbol);
                if (ordinal < 0)
                {
                    return $"{path}: expected one of [{string.Join(", ", e.Symbols)}], got {symbol ?? value?.GetType().Name ?? "null"}";
                }

                output.WriteInt(ordinal);
                return null;
            }

            case Schema.Type.Fixed:
            {
                var f = (FixedSchema)schema;
                byte[]? bytes = value switch { GenericFixed g => g.Value, byte[] b => b, _ => null };
                if (bytes is null || bytes.Length != f.Size)
                {
                    return Mismatch(path, schema, value);
                }

                output.WriteFixed(bytes);
                return null;
            }

            case Schema.Type.Record:
            case Schema.Type.Error:
            {
                var r = (RecordSchema)schema;
                if (value is not GenericRecord record)
                {
                    return Mismatch(path, schema, value);
                }

                foreach (Field field in r.Fields)
                {
                    object? item;
                    if (!record.TryGetValue(field.Name, out item) && field.DefaultValue is not null)
                    {
                        try
                        {
                            output.WriteFixed(AvroDefaults.Encode(field.Schema, field.DefaultValue));
                        }
                        catch (StreamFormatException ex)
                        {
                            return $"{path}.{field.Name}: {ex.Message}";
                        }

                        continue;
                    }

                    if (Write(field.Schema, item, ref output, path + "." + field.Name, depth + 1) is { } error)
                    {
                        return error;
                    }
                }

                return null;
            }

            case Schema.Type.Array:
            {
                if (value is not IEnumerable items || value is string || value is IDictionary)
                {
                    return Mismatch(path, schema, value);
                }

                Schema itemSchema = ((ArraySchema)schema).ItemSchema;
                var list = items.Cast<object?>().ToList();
                if (list.Count > 0)
                {
                    output.WriteLong(list.Count);
                    for (int i = 0; i < list.Count; i++)
                    {
                        if (Write(itemSchema, list[i], ref output, $"{path}[{i}]", depth + 1) is { } error)
                        {
                            return error;
                        }
                    }
                }

                output.WriteLong(0);
                return null;
            }

            case Schema.Type.Map:
            {
                if (value is not IDictionary map)
                {
                    return Mismatch(path, schema, value);
                }

                Schema valueSchema = ((MapSchema)schema).ValueSchema;
                if (map.Count > 0)
                {
                    output.WriteLong(map.Count);
                    foreach (DictionaryEntry entry in map)
                    {
                        if (entry.Key is not string key)
                        {
                            return $"{path}: a map key that is not a string";
                        }

                        output.WriteString(key);
                        if (Write(valueSchema, entry.Value, ref output, $"{path}.{key}", depth + 1) is { } error)
                        {
                            return error;
                        }
                    }
                }

                output.WriteLong(0);
                return null;
            }

            case Schema.Type.Union:
            {
                var union = (UnionSchema)schema;
                for (int b = 0; b < union.Count; b++)
                {
                    if (Matches(union.Schemas[b], value))
                    {
                        output.WriteInt(b);
                        return Write(union.Schemas[b], value, ref output, path, depth + 1);
                    }
                }

                return $"{path}: expected {string.Join(" or ", union.Schemas.Select(AvroSchemas.Describe))}, got {(value is null ? "null" : value.GetType().Name)}";
            }

            default:
                return Mismatch(path, schema, value);
        }
    }

    // Which union branch a generic value belongs to (as Apache.Avro's GenericDatumWriter decides).
    private static bool Matches(Schema schema, object? value)
    {
        if (schema is LogicalSchema logical)
        {
            return value is null ? false : logical.LogicalType.IsInstanceOfLogicalType(value);
        }

        return schema.Tag switch
        {
            Schema.Type.Null => value is null,
            Schema.Type.Boolean => value is bool,
            Schema.Type.Int => value is int,
            Schema.Type.Long => value is long,
            Schema.Type.Float => value is float,
            Schema.Type.Double => value is double,
            Schema.Type.Bytes => value is byte[],
            Schema.Type.String => value is string,
            Schema.Type.Record or Schema.Type.Error => value is GenericRecord r && r.Schema.Fullname == ((RecordSchema)schema).Fullname,
            Schema.Type.Enumeration => value is GenericEnum e && e.Schema.Fullname == ((EnumSchema)schema).Fullname,
            Schema.Type.Fixed => value is GenericFixed f && f.Schema.Fullname == ((FixedSchema)schema).Fullname,
            Schema.Type.Array => value is IEnumerable and not string and not IDictionary and not byte[],
            Schema.Type.Map => value is IDictionary,
            _ => false,
        };
    }

    /// <summary>Encodes a generic value into a new array.</summary>
    public static byte[] Encode(Schema schema, object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var output = new AvroOutput(buffer);
        Write(schema, value, ref output);
        output.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
