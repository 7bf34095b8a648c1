using System.Globalization;
using Avro;

namespace FastScore.Streams.Schemas.Json;

/// <summary>Compiles an Apache.Avro schema into a tree of <see cref="SchemaNode"/>s (once per checker).</summary>
internal sealed class SchemaCompiler
{
    private const int MillisPerDay = 86_400_000;

    private readonly Dictionary<Schema, SchemaNode> _named = new(ReferenceEqualityComparer.Instance);

    public static SchemaNode Compile(Schema schema) => new SchemaCompiler().Node(schema);

    private SchemaNode Node(Schema schema)
    {
        if (_named.TryGetValue(schema, out SchemaNode? known))
        {
            return known;
        }

        switch (schema)
        {
            case RecordSchema record:
            {
                var node = new RecordNode(record.Fullname);
                _named[schema] = node;
                node.SetFields(record.Fields.Select(f => new RecordField(f.Name, Node(f.Schema), f.DefaultValue is not null || AcceptsNull(f.Schema))).ToArray());
                return node;
            }

            case EnumSchema e:
                return _named[schema] = new EnumNode(e.Fullname, e.Symbols.ToArray());
            case FixedSchema f:
                return _named[schema] = new BytesNode($"fixed {f.Fullname}", f.Size);
            case ArraySchema a:
            {
                var node = new ArrayNode();
                _named[schema] = node;
                node.Items = Node(a.ItemSchema);
                return node;
            }

            case MapSchema m:
            {
                var node = new MapNode();
                _named[schema] = node;
                node.Values = Node(m.ValueSchema);
                return node;
            }

            case UnionSchema u:
            {
                var node = new UnionNode();
                _named[schema] = node;
                node.SetBranches(u.Schemas.Select(Node).ToArray());
                return node;
            }

            case LogicalSchema l:
                return _named[schema] = Logical(l);
            default:
                return Primitive(schema.Tag);
        }
    }

    private SchemaNode Logical(LogicalSchema schema)
    {
        SchemaNode underlying = Node(schema.BaseSchema);
        Schema.Type baseType = schema.BaseSchema.Tag;
        return (schema.LogicalTypeName, baseType) switch
        {
            ("decimal", Schema.Type.Bytes or Schema.Type.Fixed) => new DecimalNode(underlying, IntProperty(schema, "precision", 0), IntProperty(schema, "scale", 0)),
            ("uuid", Schema.Type.String) => UuidNode.Instance,
            ("date", Schema.Type.Int) => new IntNode("date"),
            ("time-millis", Schema.Type.Int) => new IntNode("time-millis", 0, MillisPerDay - 1),
            ("time-micros", Schema.Type.Long) => new LongNode("time-micros", 0, (MillisPerDay * 1000L) - 1),
            ("timestamp-millis" or "timestamp-micros" or "timestamp-nanos" or "local-timestamp-millis" or "local-timestamp-micros" or "local-timestamp-nanos", Schema.Type.Long)
                => new LongNode(schema.LogicalTypeName),
            _ => underlying, // duration (fixed 12) and unknown logical types: the underlying type
        };
    }

    private static SchemaNode Primitive(Schema.Type type) => type switch
    {
        Schema.Type.Null => NullNode.Instance,
        Schema.Type.Boolean => BooleanNode.Instance,
        Schema.Type.Int => IntNode.Instance,
        Schema.Type.Long => LongNode.Instance,
        Schema.Type.Float => FloatingNode.Float,
        Schema.Type.Double => FloatingNode.Double,
        Schema.Type.Bytes => BytesNode.Instance,
        Schema.Type.String => StringNode.Instance,
        _ => throw new NotSupportedException($"Avro type {type} is not supported."),
    };

    private static int IntProperty(Schema schema, string name, int fallback)
    {
        string? text = schema.GetProperty(name);
        return text is not null && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;
    }

    private static bool AcceptsNull(Schema schema) => schema switch
    {
        UnionSchema u => u.Schemas.Any(s => s.Tag == Schema.Type.Null),
        _ => schema.Tag == Schema.Type.Null,
    };
}
