using System.Text.Json;

namespace FastScore.Streams.Schemas.Json;

// Arrays, maps and unions: the nodes that hold other nodes (records are in RecordNode.cs, scalars in SchemaNodes.cs).

internal sealed class ArrayNode : SchemaNode
{
    public SchemaNode Items { get; set; } = null!;

    public override string DisplayName => "array";

    public override JsonKinds Kinds => JsonKinds.Array;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return context.Fail(ref reader, "array");
        }

        SchemaNode items = Items;
        int index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!items.Check(ref reader, ref context))
            {
                return context.Unwind($"[{index}]");
            }

            index++;
        }

        return true;
    }

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        if (depth >= FastJson.MaxDepth || (uint)pos >= (uint)json.Length || json[pos] != (byte)'[')
        {
            return false;
        }

        return FastJson.ScanArray(json, ref pos, depth + 1, new NodeScanner(Items));
    }
}

internal sealed class MapNode : SchemaNode
{
    public SchemaNode Values { get; set; } = null!;

    public override string DisplayName => "map";

    public override JsonKinds Kinds => JsonKinds.Object;

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return context.Fail(ref reader, "map");
        }

        SchemaNode values = Values;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int keyStart = (int)reader.TokenStartIndex;
            int keyLength = reader.ValueSpan.Length;
            StringValues.EnsureText(ref reader);
            reader.Read();
            if (!values.Check(ref reader, ref context))
            {
                return context.Unwind(StringValues.KeySegment(context.Record.Slice(keyStart + 1, keyLength)));
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

        return FastJson.ScanObject(json, ref pos, depth + 1, new NodeScanner(Values));
    }
}

/// <summary>A union: the value must match one branch (plain JSON, not Avro-JSON's <c>{"type": value}</c> wrapping).</summary>
internal sealed class UnionNode : SchemaNode
{
    private readonly SchemaNode[][] _byToken = new SchemaNode[12][];
    private SchemaNode[] _branches = [];
    private JsonKinds _kinds;
    private string _displayName = "union";

    public override string DisplayName => _displayName;

    public override JsonKinds Kinds => _kinds;

    public IReadOnlyList<SchemaNode> Branches => _branches;

    public void SetBranches(SchemaNode[] branches)
    {
        _branches = branches;
        _kinds = branches.Aggregate(JsonKinds.None, (k, b) => k | b.Kinds);
        _displayName = string.Join(" or ", branches.Select(b => b.DisplayName));
        for (int token = 0; token < _byToken.Length; token++)
        {
            JsonKinds kind = KindOf((JsonTokenType)token);
            _byToken[token] = branches.Where(b => (b.Kinds & kind) != 0).ToArray();
        }
    }

    public override bool Check(ref Utf8JsonReader reader, ref CheckContext context)
    {
        SchemaNode[] candidates = _byToken[(int)reader.TokenType];
        if (candidates.Length == 1)
        {
            // One possible branch: check it directly. A container reports its own inner path; a scalar (which has
            // not moved the reader) is reported against the whole union.
            SchemaNode only = candidates[0];
            return only.Check(ref reader, ref context)
                || ((only.Kinds & (JsonKinds.Object | JsonKinds.Array)) == 0 && context.Fail(ref reader, _displayName));
        }

        if (candidates.Length > 1)
        {
            foreach (SchemaNode candidate in candidates)
            {
                Utf8JsonReader trial = reader;
                context.Quiet++;
                bool matched = candidate.Check(ref trial, ref context);
                context.Quiet--;
                if (matched)
                {
                    reader = trial;
                    return true;
                }
            }
        }

        return context.Fail(ref reader, _displayName);
    }

    public override bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        if ((uint)pos >= (uint)json.Length)
        {
            return false;
        }

        JsonTokenType token = json[pos] switch
        {
            (byte)'n' => JsonTokenType.Null,
            (byte)'t' or (byte)'f' => JsonTokenType.True,
            (byte)'"' => JsonTokenType.String,
            (byte)'{' => JsonTokenType.StartObject,
            (byte)'[' => JsonTokenType.StartArray,
            (byte)'-' or (>= (byte)'0' and <= (byte)'9') => JsonTokenType.Number,
            _ => JsonTokenType.None,
        };
        foreach (SchemaNode candidate in _byToken[(int)token])
        {
            int p = pos;
            if (candidate.Scan(json, ref p, depth))
            {
                pos = p;
                return true;
            }
        }

        return false;
    }
}
