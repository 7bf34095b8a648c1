using System.Numerics;
using System.Text.Json;

namespace FastScore.Streams.Schemas.Json;

/// <summary>One field of a compiled record.</summary>
internal sealed record RecordField(string Name, SchemaNode Node, bool IsOptional);

/// <summary>
/// A record: a JSON object with every required field, each matching its schema, and no other keys. A field is
/// optional when it has a default or its type accepts null.
/// </summary>
internal sealed class RecordNode(string name) : SchemaNode
{
    private RecordField[] _fields = [];
    private Utf8NameTable _table = new([]);
    private ulong[] _required = [];

    public override string DisplayName => $"record {name}";

    public override JsonKinds Kinds => JsonKinds.Object;

    public void SetFields(RecordField[] fields)
    {
        _fields = fields;
        _table = new Utf8NameTable(fields.Select(f => f.Name).ToArray());
        _required = new ulong[Math.Max(1, (fields.Length + 63) / 64)];
        for (int i = 0; i < fields.Length; i++)
        {
            if (!fields[i].IsOptional)
            {
                _required[i >> 6] |= 1UL << (i & 63);
            }
        }
    }

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return context.Fail(ref reader, DisplayName);
        }

        RecordField[] fields = _fields;
        int words = _required.Length;
        Span<ulong> seen = words <= 16 ? stackalloc ulong[words] : new ulong[words];
        int hint = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int index = _table.Find(ref reader, hint);
            if (index < 0)
            {
                context.Fail($"unexpected field (not in {DisplayName})");
                return context.Unwind(StringValues.KeySegment(context.Record.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length)));
            }

            ulong bit = 1UL << (index & 63);
            if ((seen[index >> 6] & bit) != 0)
            {
                context.Fail("duplicate field");
                return context.Unwind("." + fields[index].Name);
            }

            seen[index >> 6] |= bit;
            hint = index + 1;
            reader.Read();
            if (!fields[index].Node.Check(ref reader, ref context))
            {
                return context.Unwind("." + fields[index].Name);
            }
        }

        for (int w = 0; w < words; w++)
        {
            ulong missing = _required[w] & ~seen[w];
            if (missing != 0)
            {
                return context.Fail($"missing required field '{fields[(w << 6) + BitOperations.TrailingZeroCount(missing)].Name}'");
            }
        }

        return true;
    }
    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        if (depth >= FastJson.MaxDepth || (uint)pos >= (uint)json.Length || json[pos] != (byte)'{')
        {
            return false;
        }

        RecordField[] fields = _fields;
        int words = _required.Length;
        Span<ulong> seen = words <= 16 ? stackalloc ulong[words] : new ulong[words];
        int p = pos + 1;
        FastJson.SkipWhitespace(json, ref p);
        if ((uint)p < (uint)json.Length && json[p] == (byte)'}')
        {
            p++;
        }
        else
        {
            int hint = 0;
            while (true)
            {
                if (!FastJson.ScanString(json, ref p, out ReadOnlySpan<byte> name))
                {
                    return false;
                }

                int index = _table.Find(name, hint);
                if (index < 0)
                {
                    return false;
                }

                ulong bit = 1UL << (index & 63);
                if ((seen[index >> 6] & bit) != 0)
                {
                    return false;
                }

                seen[index >> 6] |= bit;
                hint = index + 1;
                FastJson.SkipWhitespace(json, ref p);
                if ((uint)p >= (uint)json.Length || json[p] != (byte)':')
                {
                    return false;
                }

                p++;
                FastJson.SkipWhitespace(json, ref p);
                if (!fields[index].Node.Scan(json, ref p, depth + 1))
                {
                    return false;
                }

                FastJson.SkipWhitespace(json, ref p);
                if ((uint)p >= (uint)json.Length)
                {
                    return false;
                }

                byte next = json[p++];
                if (next == (byte)'}')
                {
                    break;
                }

                if (next != (byte)',')
                {
                    return false;
                }

                FastJson.SkipWhitespace(json, ref p);
            }
        }

        for (int w = 0; w < words; w++)
        {
            if ((_required[w] & ~seen[w]) != 0)
            {
                return false;
            }
        }

        pos = p;
        return true;
    }
}
