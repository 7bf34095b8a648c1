using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Encodings.Csv;

/// <summary>The value type of a CSV column.</summary>
internal enum CsvType
{
    /// <summary>Text (also every column of a stream without a schema).</summary>
    String,
    /// <summary>An Avro int.</summary>
    Int,
    /// <summary>An Avro long.</summary>
    Long,
    /// <summary>An Avro float.</summary>
    Float,
    /// <summary>An Avro double.</summary>
    Double,
    /// <summary>An Avro boolean: <c>true</c> or <c>false</c>, in any case.</summary>
    Boolean,
    /// <summary>An Avro enum: one of <see cref="CsvColumn.Symbols"/>.</summary>
    Enum,
}

/// <summary>One column: its name, its type, and whether an empty field is null (a <c>["null", T]</c> union).</summary>
/// <param name="Name">The field name.</param>
/// <param name="Type">The value type.</param>
/// <param name="Nullable">Whether the schema's type is a union with null.</param>
/// <param name="Symbols">The enum's symbols (only for <see cref="CsvType.Enum"/>).</param>
internal sealed record CsvColumn(string Name, CsvType Type, bool Nullable, IReadOnlyList<string>? Symbols = null);

/// <summary>
/// The columns of a csv stream: from a record schema (in field order), or, without a schema, from the header line that
/// the <c>delimited-csv</c> envelope reads (every column then holds text). One instance is shared by a stream's framer
/// (which fills it from the header) and its encoding and checker (which read it).
/// </summary>
internal sealed class CsvLayout
{
    private volatile CsvColumn[]? _columns;
    private volatile string[]? _header;

    private CsvLayout(CsvColumn[]? columns, Avro.RecordSchema? schema)
    {
        _columns = columns;
        Schema = schema;
    }

    /// <summary>Gets the record schema the columns come from, or <see langword="null"/> (columns from the header).</summary>
    public Avro.RecordSchema? Schema { get; }

    /// <summary>Gets the columns, or <see langword="null"/> while the header of a stream without a schema has not been read.</summary>
    public IReadOnlyList<CsvColumn>? Columns => _columns;

    /// <summary>Gets the header line read by the envelope, or <see langword="null"/>.</summary>
    public IReadOnlyList<string>? Header => _header;

    /// <summary>Creates the layout of a record schema.</summary>
    /// <param name="schema">The schema: a record whose fields are int, long, float, double, boolean, string, enum, or a union of one of them with null.</param>
    /// <returns>The layout.</returns>
    /// <exception cref="DescriptorException">The schema is not a record, or a field has a type a CSV column cannot hold.</exception>
    public static CsvLayout FromSchema(Avro.Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema is not Avro.RecordSchema record)
        {
            throw new DescriptorException("Schema", $"the csv encoding needs a record schema (one column per field), not {Describe(schema)}.");
        }

        var columns = new CsvColumn[record.Fields.Count];
        var errors = new List<DescriptorError>();
        for (int i = 0; i < columns.Length; i++)
        {
            Avro.Field field = record.Fields[i];
            if (TryColumn(field.Name, field.Schema, out CsvColumn? column, out string? why))
            {
                columns[i] = column;
            }
            else
            {
                errors.Add(new DescriptorError($"Schema.fields[{i}]", $"the csv encoding cannot hold field '{field.Name}' of type {why}; a column is int, long, float, double, boolean, string, an enum, or a union of one of them with null."));
            }
        }

        return errors.Count > 0 ? throw new DescriptorException(errors) : new CsvLayout(columns, record);
    }

    /// <summary>Creates the layout of a stream without a schema: the columns come from the header line.</summary>
    /// <returns>The layout, without columns until <see cref="SetHeader"/>.</returns>
    public static CsvLayout FromHeader() => new(null, null);

    /// <summary>Records the header line read by the envelope. Without a schema its names become the columns (text).</summary>
    /// <param name="names">The header's field names.</param>
    public void SetHeader(string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        _header = names;
        if (Schema is null)
        {
            _columns = [.. names.Select(n => new CsvColumn(n, CsvType.String, false))];
        }
    }

    /// <summary>Checks a header line against the schema's field names.</summary>
    /// <param name="names">The header's names.</param>
    /// <returns><see langword="null"/> when the names are the schema's fields in order; otherwise what differs.</returns>
    public string? Mismatch(string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        CsvColumn[]? columns = _columns;
        if (Schema is null || columns is null)
        {
            return null;
        }

        var differences = new List<string>();
        for (int i = 0; i < Math.Max(names.Length, columns.Length); i++)
        {
            string? found = i < names.Length ? names[i] : null;
            string? expected = i < columns.Length ? columns[i].Name : null;
            if (found != expected)
            {
                differences.Add(found is null ? $"column {i + 1} is missing (the schema's field '{expected}')"
                    : expected is null ? $"column {i + 1} '{found}' is not in the schema"
                    : $"column {i + 1} is '{found}', the schema's field is '{expected}'");
            }
        }

        return differences.Count == 0 ? null
            : $"the header does not match the schema's fields ({string.Join(", ", columns.Select(c => c.Name))}): {string.Join("; ", differences.Take(8))}{(differences.Count > 8 ? $"; and {differences.Count - 8} more" : "")}";
    }

    private static bool TryColumn(string name, Avro.Schema schema, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CsvColumn? column, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? why)
    {
        bool nullable = false;
        Avro.Schema type = schema;
        if (schema is Avro.UnionSchema union)
        {
            Avro.Schema[] others = [.. union.Schemas.Where(s => s.Tag != Avro.Schema.Type.Null)];
            nullable = others.Length < union.Count;
            if (others.Length != 1 || !nullable)
            {
                column = null;
                why = Describe(schema);
                return false;
            }

            type = others[0];
        }

        if (type is Avro.LogicalSchema logical && logical.BaseSchema.Tag is Avro.Schema.Type.Int or Avro.Schema.Type.Long or Avro.Schema.Type.String)
        {
            type = logical.BaseSchema;
        }

        CsvType? kind = type.Tag switch
        {
            Avro.Schema.Type.String => CsvType.String,
            Avro.Schema.Type.Int => CsvType.Int,
            Avro.Schema.Type.Long => CsvType.Long,
            Avro.Schema.Type.Float => CsvType.Float,
            Avro.Schema.Type.Double => CsvType.Double,
            Avro.Schema.Type.Boolean => CsvType.Boolean,
            Avro.Schema.Type.Enumeration => CsvType.Enum,
            _ => null,
        };
        if (kind is null)
        {
            column = null;
            why = Describe(schema);
            return false;
        }

        column = new CsvColumn(name, kind.Value, nullable, type is Avro.EnumSchema e ? [.. e.Symbols] : null);
        why = null;
        return true;
    }

    private static string Describe(Avro.Schema schema) => schema switch
    {
        Avro.UnionSchema u => "[" + string.Join(", ", u.Schemas.Select(Describe)) + "]",
        Avro.NamedSchema n => $"{n.Tag.ToString().ToLowerInvariant()} {n.Name}",
        _ => schema.Tag.ToString().ToLowerInvariant(),
    };
}
