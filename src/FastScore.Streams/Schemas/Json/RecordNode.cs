using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
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

    // Each field name followed by its closing quote, for names that need no escaping (all Avro names): a key that
    // starts with these bytes is that field, with no need to scan or unescape it.
    private byte[]?[] _quotedNames = [];
    private Utf8NameTable _table = new([]);
    private ulong[] _required = [];

    public override string DisplayName => $"record {name}";

    public override JsonKinds Kinds => JsonKinds.Object;

    public IReadOnlyList<RecordField> Fields => _fields;

    /// <summary>Whether field <paramref name="index"/>'s name needs no escaping in JSON (so a key can be compared byte for byte).</summary>
    public bool HasPlainName(int index) => _quotedNames[index] is not null;

    /// <summary>
    /// The order of the keys of a record (a JSON object, as the scanner accepted it) as field indices, when its keys
    /// are every field once; otherwise <see langword="null"/>.
    /// </summary>
    public int[]? KeyOrder(ReadOnlySpan<byte> json) => KeyOrder(json, out _);

    /// <summary>
    /// The order of the keys of a record (see <see cref="KeyOrder(ReadOnlySpan{byte})"/>), and the text before each
    /// value from the end of the one before (from the <c>{</c> for the first): <c>, "name": </c> and the like.
    /// </summary>
    public int[]? KeyOrder(ReadOnlySpan<byte> json, out byte[][] separators)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = FastJson.MaxDepth });
        var order = new List<int>(_fields.Length);
        var before = new List<byte[]>(_fields.Length);
        separators = [];
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            int end = (int)reader.TokenStartIndex;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int index = _table.Find(ref reader, order.Count);
                if (index < 0 || order.Contains(index))
                {
                    return null;
                }

                order.Add(index);
                reader.Read();
                before.Add(json[end..(int)reader.TokenStartIndex].ToArray());
                reader.Skip();
                end = (int)reader.BytesConsumed;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        if (order.Count != _fields.Length)
        {
            return null;
        }

        separators = [.. before];
        return [.. order];
    }

    public void SetFields(RecordField[] fields)
    {
        _fields = fields;
        _quotedNames = fields.Select(f => f.Name.All(c => c is >= ' ' and < '\x7f' and not '"' and not '\\') ? Encoding.ASCII.GetBytes(f.Name + "\"") : null).ToArray();
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

        if (_required.Length == 1)
        {
            ulong seen = 0;
            return ScanFields(json, ref pos, depth, MemoryMarshal.CreateSpan(ref seen, 1));
        }

        int words = _required.Length;
        return ScanFields(json, ref pos, depth, words <= 16 ? stackalloc ulong[words] : new ulong[words]);
    }

    private bool ScanFields(ReadOnlySpan<byte> json, ref int pos, int depth, Span<ulong> seen)
    {
        RecordField[] fields = _fields;
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
                int index = MatchKey(json, p, hint);
                if (index >= 0)
                {
                    p += 1 + _quotedNames[index]!.Length;
                }
                else
                {
                    if (!FastJson.ScanString(json, ref p, out ReadOnlySpan<byte> name))
                    {
                        return false;
                    }

                    index = _table.Find(name, hint);
                    if (index < 0)
                    {
                        return false;
                    }
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

        ulong[] required = _required;
        for (int w = 0; w < required.Length; w++)
        {
            if ((required[w] & ~seen[w]) != 0)
            {
                return false;
            }
        }

        pos = p;
        return true;
    }

    // The field whose quoted name follows the opening quote at `p` (the expected next field first), or -1.
    private int MatchKey(ReadOnlySpan<byte> json, int p, int hint)
    {
        if ((uint)p >= (uint)json.Length || json[p] != (byte)'"')
        {
            return -1;
        }

        ReadOnlySpan<byte> rest = json[(p + 1)..];
        byte[]?[] quoted = _quotedNames;
        if ((uint)hint < (uint)quoted.Length && StartsWith(rest, quoted[hint]))
        {
            return hint;
        }

        if (quoted.Length <= 8)
        {
            for (int i = 0; i < quoted.Length; i++)
            {
                if (StartsWith(rest, quoted[i]))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private static bool StartsWith(ReadOnlySpan<byte> rest, byte[]? quotedName) =>
        quotedName is not null && rest.Length >= quotedName.Length && Utf8NameTable.SameBytes(rest[..quotedName.Length], quotedName);
}
