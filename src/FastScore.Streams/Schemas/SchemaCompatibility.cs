using Avro;

namespace FastScore.Streams.Schemas;

/// <summary>
/// Avro schema resolution (the specification's rules, not Apache.Avro's stricter <c>CanRead</c>): whether data written
/// with one schema can be read with another. Used to check a stream's own schema against its model slot's schema.
/// </summary>
/// <remarks>
/// Logical types are compared by their underlying type (a <c>date</c> is an <c>int</c> in JSON); named types match by
/// unqualified name; promotions are int → long, float, double; long → float, double;
/// float → double; string ↔ bytes. Recursive schemas are handled.
/// </remarks>
internal static class SchemaCompatibility
{
    /// <summary>Whether every datum valid for <paramref name="writer"/> can be read with <paramref name="reader"/>.</summary>
    public static bool CanRead(Schema reader, Schema writer) => CanRead(reader, writer, []);

    private static bool CanRead(Schema reader, Schema writer, HashSet<(Schema, Schema)> assumed)
    {
        reader = Underlying(reader);
        writer = Underlying(writer);
        if (writer is UnionSchema writerUnion)
        {
            return writerUnion.Schemas.All(branch => CanRead(reader, branch, assumed));
        }

        if (reader is UnionSchema readerUnion)
        {
            return readerUnion.Schemas.Any(branch => CanRead(branch, writer, assumed));
        }

        if (!assumed.Add((reader, writer)))
        {
            return true; // recursion: assume what is being proved
        }

        return (reader, writer) switch
        {
            (RecordSchema r, RecordSchema w) => SameName(r, w) && r.Fields.All(field => CanReadField(field, w, assumed)),
            (EnumSchema r, EnumSchema w) => SameName(r, w) && (r.Default is not null || w.Symbols.All(r.Symbols.Contains)),
            (FixedSchema r, FixedSchema w) => SameName(r, w) && r.Size == w.Size,
            (ArraySchema r, ArraySchema w) => CanRead(r.ItemSchema, w.ItemSchema, assumed),
            (MapSchema r, MapSchema w) => CanRead(r.ValueSchema, w.ValueSchema, assumed),
            _ => reader is PrimitiveSchema && writer is PrimitiveSchema && Promotes(writer.Tag, reader.Tag),
        };
    }

    private static bool CanReadField(Field field, RecordSchema writer, HashSet<(Schema, Schema)> assumed)
    {
        Field? written = writer.Fields.FirstOrDefault(w => w.Name == field.Name || (field.Aliases?.Contains(w.Name) ?? false));
        return written is null ? field.DefaultValue is not null : CanRead(field.Schema, written.Schema, assumed);
    }

    private static Schema Underlying(Schema schema) => schema is LogicalSchema logical ? Underlying(logical.BaseSchema) : schema;

    private static bool SameName(NamedSchema reader, NamedSchema writer) =>
        reader.SchemaName.Name == writer.SchemaName.Name;

    private static bool Promotes(Schema.Type from, Schema.Type to) => from == to || (from, to) switch
    {
        (Schema.Type.Int, Schema.Type.Long or Schema.Type.Float or Schema.Type.Double) => true,
        (Schema.Type.Long, Schema.Type.Float or Schema.Type.Double) => true,
        (Schema.Type.Float, Schema.Type.Double) => true,
        (Schema.Type.String, Schema.Type.Bytes) or (Schema.Type.Bytes, Schema.Type.String) => true,
        _ => false,
    };
}
