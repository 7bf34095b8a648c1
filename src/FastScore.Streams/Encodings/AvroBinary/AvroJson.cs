using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Avro;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// Avro binary ↔ plain JSON, the JSON form FastScore's <c>json</c> encoding carries and the JSON schema checker accepts
/// (see docs/schemas.md): union values unwrapped, bytes and fixed as strings of U+0000–U+00FF (one character per byte),
/// enums as their symbol, logical types as their underlying value (a decimal also as a JSON number on input).
/// </summary>
internal static class AvroJson
{
    // ---- Avro binary → JSON --------------------------------------------------------------------------------------

    /// <summary>Writes the value the cursor is at, read through <paramref name="plan"/>, as JSON.</summary>
    public static bool Write(ref AvroCursor c, AvroPlan plan, Utf8JsonWriter json)
    {
        switch (plan)
        {
            case PrimitivePlan p:
                return WritePrimitive(ref c, p, json);
            case RecordPlan r:
                return WriteRecord(ref c, r, json);
            case EnumPlan e:
            {
                if (!AvroGeneric.ReadEnum(ref c, e, out int k))
                {
                    return false;
                }

                json.WriteStringValue(e.ReaderEnum.Symbols[k]);
                return true;
            }

            case FixedPlan f:
            {
                if (!c.ReadFixed(f.Size, out ReadOnlySpan<byte> bytes))
                {
                    return false;
                }

                json.WriteStringValue(Latin1(bytes));
                return true;
            }

            case ArrayPlan a:
                return WriteBlocks(ref c, a.Items, json, map: false);
            case MapPlan m:
                return WriteBlocks(ref c, m.Values, json, map: true);
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

                bool written = Write(ref c, inner, json);
                c.Leave();
                return written;
            }

            case ReaderUnionPlan ru:
                return Write(ref c, ru.Inner, json);
            default:
                return c.FailSchema("unsupported plan", c.Position);
        }
    }

    private static bool WritePrimitive(ref AvroCursor c, PrimitivePlan p, Utf8JsonWriter json)
    {
        int start = c.Position;
        switch (p.From)
        {
            case Schema.Type.Null:
                json.WriteNullValue();
                return true;
            case Schema.Type.Boolean:
                if (!c.ReadBoolean(out bool b))
                {
                    return false;
                }

                json.WriteBooleanValue(b);
                return true;
            case Schema.Type.Int:
                if (!c.ReadInt(out int i))
                {
                    return false;
                }

                if (p.To == Schema.Type.Float)
                {
                    return WriteFloat(ref c, i, json, start);
                }

                json.WriteNumberValue(i);
                return true;
            case Schema.Type.Long:
                if (!c.ReadLong(out long l))
                {
                    return false;
                }

                if (p.To == Schema.Type.Float)
                {
                    return WriteFloat(ref c, l, json, start);
                }

                if (p.To == Schema.Type.Double)
                {
                    json.WriteNumberValue((double)l);
                    return true;
                }

                json.WriteNumberValue(l);
                return true;
            case Schema.Type.Float:
                if (!c.ReadFloat(out float f))
                {
                    return false;
                }

                return p.To == Schema.Type.Double ? WriteDouble(ref c, f, json, start) : WriteFloat(ref c, f, json, start);
            case Schema.Type.Double:
                if (!c.ReadDouble(out double d))
                {
                    return false;
                }

                return WriteDouble(ref c, d, json, start);
            case Schema.Type.Bytes:
            case Schema.Type.String:
            {
                if (p.From == Schema.Type.String ? !c.ReadUtf8(out ReadOnlySpan<byte> text) : !c.ReadSpan(out text))
                {
                    return false;
                }

                if (p.To == Schema.Type.String)
                {
                    if (!System.Text.Unicode.Utf8.IsValid(text))
                    {
                        return c.FailSchema("bytes that are not UTF-8 cannot be read as a string", start);
                    }

                    json.WriteStringValue(text);
                }
                else
                {
                    json.WriteStringValue(Latin1(text));
                }

                return true;
            }

            default:
                return c.FailSchema($"unsupported type {p.From}", start);
        }
    }

    private static bool WriteFloat(ref AvroCursor c, float value, Utf8JsonWriter json, int at)
    {
        if (!float.IsFinite(value))
        {
            return c.FailSchema($"the float {value.ToString(CultureInfo.InvariantCulture)} has no JSON form", at);
        }

        json.WriteNumberValue(value);
        return true;
    }

    private static bool WriteDouble(ref AvroCursor c, double value, Utf8JsonWriter json, int at)
    {
        if (!double.IsFinite(value))
        {
            return c.FailSchema($"the double {value.ToString(CultureInfo.InvariantCulture)} has no JSON form", at);
        }

        json.WriteNumberValue(value);
        return true;
    }

    private static bool WriteRecord(ref AvroCursor c, RecordPlan plan, Utf8JsonWriter json)
    {
        if (!c.Enter())
        {
            return false;
        }

        json.WriteStartObject();
        foreach (RecordStep step in plan.Steps)
        {
            if (step.Plan is null)
            {
                if (!AvroSkipper.Skip(ref c, step.WriterField.Schema))
                {
                    return c.InField(step.WriterField.Name);
                }

                continue;
            }

            json.WritePropertyName(step.ReaderField!.Name);
            if (!Write(ref c, step.Plan, json))
            {
                return c.InField(step.ReaderField.Name);
            }
        }

        foreach (DefaultStep step in plan.Defaults)
        {
            json.WritePropertyName(step.ReaderField.Name);
            var defaults = new AvroCursor(step.Encoded);
            if (!Write(ref defaults, step.Plan, json))
            {
                return c.FailSchema($"the default of field '{step.ReaderField.Name}' cannot be written: {defaults.Describe()}", c.Position);
            }
        }

        json.WriteEndObject();
        c.Leave();
        return true;
    }

    private static bool WriteBlocks(ref AvroCursor c, AvroPlan items, Utf8JsonWriter json, bool map)
    {
        if (!c.Enter())
        {
            return false;
        }

        int minBytes = map ? 1 + AvroSchemas.MinBytes(items.Writer) : AvroSchemas.MinBytes(items.Writer);
        if (map)
        {
            json.WriteStartObject();
        }
        else
        {
            json.WriteStartArray();
        }

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
                if (map)
                {
                    if (!c.ReadUtf8(out ReadOnlySpan<byte> key))
                    {
                        return c.InItem(index);
                    }

                    json.WritePropertyName(key);
                }

                if (!Write(ref c, items, json))
                {
                    return c.InItem(index);
                }
            }
        }

        if (map)
        {
            json.WriteEndObject();
        }
        else
        {
            json.WriteEndArray();
        }

        c.Leave();
        return true;
    }

    /// <summary>Bytes as a string of one character per byte (U+0000–U+00FF), as Avro's JSON encoding writes bytes.</summary>
    public static string Latin1(ReadOnlySpan<byte> bytes) => System.Text.Encoding.Latin1.GetString(bytes);

    // ---- JSON → Avro binary --------------------------------------------------------------------------------------

    /// <summary>Writes a JSON value as Avro binary of <paramref name="schema"/>.</summary>
    /// <exception cref="StreamFormatException">The value is not a value of the schema (the message names the path).</exception>
    public static void Encode(Schema schema, JsonElement value, ref AvroOutput output)
    {
        string? error = Encode(schema, value, ref output, "$", 0);
        if (error is not null)
        {
            throw new StreamFormatException(error);
        }
    }

    /// <summary>Encodes a JSON value into a new array.</summary>
    /// <exception cref="StreamFormatException">The value is not a value of the schema.</exception>
    public static byte[] Encode(Schema schema, JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var output = new AvroOutput(buffer);
        Encode(schema, value, ref output);
        output.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static string Mismatch(string path, Schema schema, JsonElement value)
    {
        string text = value.GetRawText();
        if (text.Length > 40)
        {
            text = string.Concat(text.AsSpan(0, 39), "…");
        }

        return $"{path}: expected {AvroSchemas.Describe(schema)}, got {text}";
    }

    private static string? Encode(Schema schema, JsonElement value, ref AvroOutput output, string path, int depth)
    {
        if (depth > AvroCursor.MaxDepth)
        {
            return $"{path}: nested deeper than {AvroCursor.MaxDepth} levels";
        }

        Schema underlying = AvroSchemas.Underlying(schema);
        switch (underlying.Tag)
        {
            case Schema.Type.Null:
                return value.ValueKind == JsonValueKind.Null ? null : Mismatch(path, schema, value);
            case Schema.Type.Boolean:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return Mismatch(path, schema, value);
                }

                output.WriteBoolean(value.GetBoolean());
                return null;
            case Schema.Type.Int:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int i) || !IsIntegerLiteral(value))
                {
                    return Mismatch(path, schema, value);
                }

                output.WriteInt(i);
                return null;
            case Schema.Type.Long:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long l) || !IsIntegerLiteral(value))
                {
                    return Mismatch(path, schema, value);
                }

                output.WriteLong(l);
                return null;
            case Schema.Type.Float:
            {
                if (value.ValueKind != JsonValueKind.Number || !float.IsFinite((float)value.GetDouble()))
                {
                    return Mismatch(path, schema, value);
                }

                output.WriteFloat(float.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture));
                return null;
            }

            case Schema.Type.Double:
                if (value.ValueKind != JsonValueKind.Number || !double.IsFinite(value.GetDouble()))
                {
                    return Mismatch(path, schema, value);
                }

                output.WriteDouble(value.GetDouble());
                return null;
            case Schema.Type.String:
                if (value.ValueKind != JsonValueKind.String)
                {
                    return Mismatch(path, schema, value);
                }

                output.WriteString(value.GetString()!);
                return null;
            case Schema.Type.Bytes:
            {
                if (value.ValueKind == JsonValueKind.Number && schema is LogicalSchema { LogicalTypeName: "decimal" } decimalSchema)
                {
                    byte[]? unscaled = DecimalBytes(value, decimalSchema, -1);
                    if (unscaled is null)
                    {
                        return Mismatch(path, schema, value);
                    }

                    output.WriteBytes(unscaled);
                    return null;
                }

                if (value.ValueKind != JsonValueKind.String || !TryLatin1(value.GetString()!, out byte[] bytes))
                {
                    return Mismatch(path, schema, value);
                }

                output.WriteBytes(bytes);
                return null;
            }

            case Schema.Type.Fixed:
            {
                int size = ((FixedSchema)underlying).Size;
                if (value.ValueKind == JsonValueKind.Number && schema is LogicalSchema { LogicalTypeName: "decimal" } decimalSchema)
                {
                    byte[]? unscaled = DecimalBytes(value, decimalSchema, size);
                    if (unscaled is null)
                    {
                        return Mismatch(path, schema, value);
                    }

                    output.WriteFixed(unscaled);
                    return null;
                }

                if (value.ValueKind != JsonValueKind.String || !TryLatin1(value.GetString()!, out byte[] bytes) || bytes.Length != size)
                {
                    return Mismatch(path, schema, value);
                }

                output.WriteFixed(bytes);
                return null;
            }

            case Schema.Type.Enumeration:
            {
                var e = (EnumSchema)underlying;
                int ordinal = value.ValueKind == JsonValueKind.String ? e.Symbols.IndexOf(value.GetString()!) : -1;
                if (ordinal < 0)
                {
                    return $"{path}: expected one of [{string.Join(", ", e.Symbols)}], got {value.GetRawText()}";
                }

                output.WriteInt(ordinal);
                return null;
            }

            case Schema.Type.Array:
            {
                if (value.ValueKind != JsonValueKind.Array)
                {
                    return Mismatch(path, schema, value);
                }

                Schema items = ((ArraySchema)underlying).ItemSchema;
                int count = value.GetArrayLength();
                if (count > 0)
                {
                    output.WriteLong(count);
                    int index = 0;
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        if (Encode(items, item, ref output, $"{path}[{index}]", depth + 1) is { } error)
                        {
                            return error;
                        }

                        index++;
                    }
                }

                output.WriteLong(0);
                return null;
            }

            case Schema.Type.Map:
            {
                if (value.ValueKind != JsonValueKind.Object)
                {
                    return Mismatch(path, schema, value);
                }

                Schema values = ((MapSchema)underlying).ValueSchema;
                int count = 0;
                foreach (JsonProperty _ in value.EnumerateObject())
                {
                    count++;
                }

                if (count > 0)
                {
                    output.WriteLong(count);
                    foreach (JsonProperty property in value.EnumerateObject())
                    {
                        output.WriteString(property.Name);
                        if (Encode(values, property.Value, ref output, $"{path}.{property.Name}", depth + 1) is { } error)
                        {
                            return error;
                        }
                    }
                }

                output.WriteLong(0);
                return null;
            }

            case Schema.Type.Record:
            case Schema.Type.Error:
                return EncodeRecord((RecordSchema)underlying, value, ref output, path, depth);
            case Schema.Type.Union:
            {
                var union = (UnionSchema)underlying;
                for (int b = 0; b < union.Count; b++)
                {
                    if (Matches(union.Schemas[b], value, depth + 1))
                    {
                        output.WriteInt(b);
                        return Encode(union.Schemas[b], value, ref output, path, depth + 1);
                    }
                }

                // Avro's own JSON encoding wraps a union value: {"type name": value}.
                if (value.ValueKind == JsonValueKind.Object)
                {
                    using JsonElement.ObjectEnumerator properties = value.EnumerateObject();
                    if (properties.MoveNext())
                    {
                        JsonProperty only = properties.Current;
                        if (!properties.MoveNext())
                        {
                            for (int b = 0; b < union.Count; b++)
                            {
                                if (BranchName(union.Schemas[b]) is { } name && (name == only.Name || FullBranchName(union.Schemas[b]) == only.Name)
                                    && Matches(union.Schemas[b], only.Value, depth + 1))
                                {
                                    output.WriteInt(b);
                                    return Encode(union.Schemas[b], only.Value, ref output, path, depth + 1);
                                }
                            }
                        }
                    }
                }

                return $"{path}: expected {string.Join(" or ", union.Schemas.Select(AvroSchemas.Describe))}, got {Shorten(value.GetRawText())}";
            }

            default:
                return $"{path}: unsupported schema type {underlying.Tag}";
        }
    }

    private static string Shorten(string text) => text.Length > 40 ? string.Concat(text.AsSpan(0, 39), "…") : text;

    private static string? EncodeRecord(RecordSchema record, JsonElement value, ref AvroOutput output, string path, int depth)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return Mismatch(path, record, value);
        }

        foreach (JsonProperty property in value.EnumerateObject())
        {
            if (!record.Contains(property.Name))
            {
                return $"{path}.{property.Name}: unexpected field (not in {AvroSchemas.Describe(record)})";
            }
        }

        foreach (Field field in record.Fields)
        {
            string fieldPath = path + "." + field.Name;
            if (value.TryGetProperty(field.Name, out JsonElement item))
            {
                if (Encode(field.Schema, item, ref output, fieldPath, depth + 1) is { } error)
                {
                    return error;
                }
            }
            else if (field.DefaultValue is not null)
            {
                byte[] encoded;
                try
                {
                    encoded = AvroDefaults.Encode(field.Schema, field.DefaultValue);
                }
                catch (StreamFormatException ex)
                {
                    return $"{fieldPath}: the default is not a value of the field's type: {ex.Message}";
                }

                output.WriteFixed(encoded);
            }
            else if (NullBranch(field.Schema) is int nullBranch)
            {
                if (nullBranch >= 0)
                {
                    output.WriteInt(nullBranch);
                }
            }
            else
            {
                return $"{path}: missing required field '{field.Name}'";
            }
        }

        return null;
    }

    /// <summary>The branch index of null in a union (-1 when the schema is null itself), or <see langword="null"/> when null is not a value.</summary>
    private static int? NullBranch(Schema schema)
    {
        Schema underlying = AvroSchemas.Underlying(schema);
        if (underlying.Tag == Schema.Type.Null)
        {
            return -1;
        }

        if (underlying is UnionSchema union)
        {
            for (int i = 0; i < union.Count; i++)
            {
                if (union.Schemas[i].Tag == Schema.Type.Null)
                {
                    return i;
                }
            }
        }

        return null;
    }

    /// <summary>Whether a JSON value is a value of the schema (for picking a union branch).</summary>
    public static bool Matches(Schema schema, JsonElement value, int depth = 0)
    {
        if (depth > AvroCursor.MaxDepth)
        {
            return false;
        }

        var sink = new ArrayBufferWriter<byte>(64);
        var output = new AvroOutput(sink);
        return Encode(schema, value, ref output, "$", depth) is null;
    }

    private static string? BranchName(Schema schema) => AvroSchemas.Underlying(schema) switch
    {
        NamedSchema named => named.Name,
        Schema s => s.Tag switch
        {
            Schema.Type.Array => "array",
            Schema.Type.Map => "map",
            Schema.Type.Enumeration => "enum",
            _ => s.Tag.ToString().ToLowerInvariant(),
        },
    };

    private static string? FullBranchName(Schema schema) => AvroSchemas.Underlying(schema) is NamedSchema named ? named.Fullname : null;

    private static bool IsIntegerLiteral(JsonElement number)
    {
        string text = number.GetRawText();
        return text.AsSpan().IndexOfAny('.', 'e', 'E') < 0;
    }

    private static bool TryLatin1(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] > 0xFF)
            {
                return false;
            }

            bytes[i] = (byte)text[i];
        }

        return true;
    }

    // A JSON number as a decimal's unscaled two's-complement big-endian bytes (size -1: as short as possible).
    private static byte[]? DecimalBytes(JsonElement number, LogicalSchema schema, int size)
    {
        int scale = schema.GetProperty("scale") is { } s && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int sc) ? sc : 0;
        if (!decimal.TryParse(number.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d))
        {
            return null;
        }

        decimal scaled = d * (decimal)Math.Pow(10, scale);
        if (scaled != decimal.Truncate(scaled))
        {
            return null;
        }

        byte[] bytes = new BigInteger(scaled).ToByteArray(isUnsigned: false, isBigEndian: true);
        if (size < 0)
        {
            return bytes;
        }

        if (bytes.Length > size)
        {
            return null;
        }

        byte[] padded = new byte[size];
        if (d < 0)
        {
            padded.AsSpan().Fill(0xFF);
        }

        bytes.CopyTo(padded, size - bytes.Length);
        return padded;
    }
}

/// <summary>Field defaults (JSON in the schema) as Avro binary.</summary>
internal static class AvroDefaults
{
    /// <summary>Encodes a field's default value as Avro binary of the field's schema.</summary>
    /// <exception cref="StreamFormatException">The default is not a value of the schema.</exception>
    public static byte[] Encode(Schema schema, Newtonsoft.Json.Linq.JToken value)
    {
        using JsonDocument document = JsonDocument.Parse(value.ToString(Newtonsoft.Json.Formatting.None));
        Schema underlying = AvroSchemas.Underlying(schema);
        if (underlying is UnionSchema union)
        {
            // The specification: a union's default is a value of its first branch; accept any branch (as Avro's JSON does).
            Schema first = union.Schemas[0];
            if (AvroJson.Matches(first, document.RootElement))
            {
                var buffer = new ArrayBufferWriter<byte>(16);
                var output = new AvroOutput(buffer);
                output.WriteInt(0);
                AvroJson.Encode(first, document.RootElement, ref output);
                output.Flush();
                return buffer.WrittenSpan.ToArray();
            }
        }

        return AvroJson.Encode(schema, document.RootElement);
    }
}
