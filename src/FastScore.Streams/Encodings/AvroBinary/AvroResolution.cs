using Avro;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// How to read data written with one schema (the writer's: the stream's) as another (the reader's: the model slot's),
/// by the Avro specification's schema resolution: a tree of plans, one per (writer, reader) pair, built once. Decoders
/// (generic, JSON, POCO) walk it; data the reader ignores is skipped with the writer's schema.
/// </summary>
internal abstract class AvroPlan
{
    protected AvroPlan(Schema writer, Schema reader)
    {
        Writer = writer;
        Reader = reader;
    }

    /// <summary>Gets the writer's schema (logical types kept).</summary>
    public Schema Writer { get; }

    /// <summary>Gets the reader's schema (logical types kept; a branch of the reader's union when the reader is one).</summary>
    public Schema Reader { get; }
}

/// <summary>null, boolean, int, long, float, double, bytes, string; with the promotions int → long, float, double; long → float, double; float → double; string ↔ bytes.</summary>
internal sealed class PrimitivePlan(Schema writer, Schema reader, Schema.Type from, Schema.Type to) : AvroPlan(writer, reader)
{
    public Schema.Type From { get; } = from;

    public Schema.Type To { get; } = to;
}

/// <summary>A record: the writer's fields in order (each read into a reader field or skipped), then the reader's fields the writer lacks (from their defaults).</summary>
internal sealed class RecordPlan(Schema writer, RecordSchema reader) : AvroPlan(writer, reader)
{
    public RecordSchema ReaderRecord { get; } = reader;

    /// <summary>Gets the writer's fields, in the writer's order.</summary>
    public RecordStep[] Steps { get; internal set; } = [];

    /// <summary>Gets the reader's fields the writer does not have, with their defaults.</summary>
    public DefaultStep[] Defaults { get; internal set; } = [];
}

/// <summary>One writer field: read into reader field <see cref="ReaderField"/> with <see cref="Plan"/>, or skipped (<see cref="Plan"/> null).</summary>
internal sealed record RecordStep(Field WriterField, Field? ReaderField, AvroPlan? Plan);

/// <summary>A reader field the writer does not have: its default, as Avro binary of the field's schema, read with <see cref="Plan"/>.</summary>
internal sealed record DefaultStep(Field ReaderField, byte[] Encoded, AvroPlan Plan);

/// <summary>An enum: each writer symbol's reader ordinal (-1: not a reader symbol, and no reader default).</summary>
internal sealed class EnumPlan(Schema writer, EnumSchema reader, int[] map) : AvroPlan(writer, reader)
{
    public EnumSchema ReaderEnum { get; } = reader;

    public int[] Map { get; } = map;

    public EnumSchema WriterEnum => (EnumSchema)AvroSchemas.Underlying(Writer);
}

internal sealed class FixedPlan(Schema writer, FixedSchema reader) : AvroPlan(writer, reader)
{
    public int Size { get; } = reader.Size;

    public FixedSchema ReaderFixed { get; } = reader;
}

internal sealed class ArrayPlan(Schema writer, Schema reader) : AvroPlan(writer, reader)
{
    public AvroPlan Items { get; internal set; } = null!;
}

internal sealed class MapPlan(Schema writer, Schema reader) : AvroPlan(writer, reader)
{
    public AvroPlan Values { get; internal set; } = null!;
}

/// <summary>
/// A writer union: each branch's plan, or why it cannot be read (an error only when a record holds that branch). When the
/// reader is a union too, <see cref="ReaderBranches"/> gives the reader branch each writer branch resolves to.
/// </summary>
internal sealed class WriterUnionPlan(Schema writer, Schema reader, AvroPlan?[] branches, string?[] errors, int[] readerBranches) : AvroPlan(writer, reader)
{
    public AvroPlan?[] Branches { get; } = branches;

    public string?[] Errors { get; } = errors;

    public int[] ReaderBranches { get; } = readerBranches;
}

/// <summary>A writer that is not a union, read as one branch (<see cref="ReaderBranch"/>) of the reader's union.</summary>
internal sealed class ReaderUnionPlan(Schema writer, Schema reader, int readerBranch, AvroPlan inner) : AvroPlan(writer, reader)
{
    public int ReaderBranch { get; } = readerBranch;

    public AvroPlan Inner { get; } = inner;
}

/// <summary>Why a writer's schema cannot be read with a reader's: the path into the schemas and the rule that fails.</summary>
internal sealed class AvroResolutionException(string path, string message) : Exception($"{path}: {message}")
{
    public string SchemaPath { get; } = path;

    public string Reason { get; } = message;
}

/// <summary>Small helpers over Apache.Avro schemas.</summary>
internal static class AvroSchemas
{
    /// <summary>The schema under any logical types.</summary>
    public static Schema Underlying(Schema schema)
    {
        while (schema is LogicalSchema logical)
        {
            schema = logical.BaseSchema;
        }

        return schema;
    }

    /// <summary>A short name for messages: the type, or the named type's full name.</summary>
    public static string Describe(Schema schema) => Underlying(schema) switch
    {
        RecordSchema r => "record " + r.Fullname,
        EnumSchema e => "enum " + e.Fullname,
        FixedSchema f => $"fixed {f.Fullname} ({f.Size} bytes)",
        ArraySchema a => "array of " + Describe(a.ItemSchema),
        MapSchema m => "map of " + Describe(m.ValueSchema),
        UnionSchema u => "union [" + string.Join(", ", u.Schemas.Select(Describe)) + "]",
        Schema s => s.Tag.ToString().ToLowerInvariant(),
    };

    /// <summary>Whether every part of a parsed schema is there (Apache.Avro accepts some broken schemas, e.g. an enum without a name, leaving nulls).</summary>
    public static bool IsComplete(Schema? schema) => IsComplete(schema, new HashSet<Schema>(ReferenceEqualityComparer.Instance));

    private static bool IsComplete(Schema? schema, HashSet<Schema> seen)
    {
        if (schema is null)
        {
            return false;
        }

        if (!seen.Add(schema))
        {
            return true;
        }

        return schema switch
        {
            LogicalSchema l => IsComplete(l.BaseSchema, seen),
            RecordSchema r => r.Fields is not null && r.Fields.All(f => f?.Name is not null && IsComplete(f.Schema, seen)),
            EnumSchema e => e.Symbols is not null && e.Symbols.All(symbol => symbol is not null),
            ArraySchema a => IsComplete(a.ItemSchema, seen),
            MapSchema m => IsComplete(m.ValueSchema, seen),
            UnionSchema u => u.Schemas is not null && u.Schemas.All(b => IsComplete(b, seen)),
            _ => true,
        };
    }

    /// <summary>The index of the null branch of a union, or -1.</summary>
    public static int NullBranch(UnionSchema union)
    {
        for (int i = 0; i < union.Count; i++)
        {
            if (union.Schemas[i].Tag == Schema.Type.Null)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The aliases of a named type, as its schema JSON lists them (Apache.Avro keeps them private).</summary>
    public static IReadOnlyList<string> Aliases(NamedSchema schema)
    {
        using var document = System.Text.Json.JsonDocument.Parse(schema.ToString());
        if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
            && document.RootElement.TryGetProperty("aliases", out System.Text.Json.JsonElement aliases)
            && aliases.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            return [.. aliases.EnumerateArray().Where(a => a.ValueKind == System.Text.Json.JsonValueKind.String).Select(a => a.GetString()!)];
        }

        return [];
    }

    /// <summary>The smallest number of bytes a value of the schema takes (0 for null and empty containers).</summary>
    public static int MinBytes(Schema schema) => Underlying(schema) switch
    {
        { Tag: Schema.Type.Null } => 0,
        { Tag: Schema.Type.Float } => 4,
        { Tag: Schema.Type.Double } => 8,
        FixedSchema f => f.Size,
        RecordSchema => 0, // may be empty; recursion makes a sum unsafe to compute naively
        _ => 1,
    };
}

/// <summary>Builds <see cref="AvroPlan"/>s by the Avro specification's resolution rules.</summary>
internal static class AvroResolver
{
    /// <summary>Resolves <paramref name="writer"/> against <paramref name="reader"/>.</summary>
    /// <param name="writer">The schema the data was written with.</param>
    /// <param name="reader">The schema to read it as.</param>
    /// <param name="strict">
    /// <see langword="true"/>: every branch of a writer union must be readable (the compatibility check at start);
    /// <see langword="false"/>: branches that cannot be read fail only the records that hold them.
    /// </param>
    /// <exception cref="AvroResolutionException">The schemas cannot be resolved: the message names the path and the rule.</exception>
    public static AvroPlan Resolve(Schema writer, Schema reader, bool strict = false) =>
        new Builder(strict).Build(writer, reader, "$");

    /// <summary>Whether data written with <paramref name="writer"/> can be read with <paramref name="reader"/>; when not, why.</summary>
    public static string? Explain(Schema reader, Schema writer)
    {
        try
        {
            _ = Resolve(writer, reader, strict: true);
            return null;
        }
        catch (AvroResolutionException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The identity plan: data written with <paramref name="schema"/> read as it is.</summary>
    public static AvroPlan Identity(Schema schema) => Resolve(schema, schema);

    private sealed class Builder(bool strict)
    {
        private readonly Dictionary<(Schema, Schema), AvroPlan> _named = new(PairComparer.Instance);

        public AvroPlan Build(Schema writer, Schema reader, string path)
        {
            Schema w = AvroSchemas.Underlying(writer);
            Schema r = AvroSchemas.Underlying(reader);
            if (w is UnionSchema writerUnion)
            {
                return BuildWriterUnion(writer, reader, writerUnion, r as UnionSchema, path);
            }

            if (r is UnionSchema readerUnion)
            {
                int branch = PickBranch(w, readerUnion);
                if (branch < 0)
                {
                    throw new AvroResolutionException(path, $"the writer's {AvroSchemas.Describe(w)} matches no branch of the reader's {AvroSchemas.Describe(r)}");
                }

                return new ReaderUnionPlan(writer, readerUnion.Schemas[branch], branch, Build(writer, readerUnion.Schemas[branch], path));
            }

            switch (w, r)
            {
                case (RecordSchema wr, RecordSchema rr):
                    RequireSameName(wr, rr, path);
                    return BuildRecord(writer, reader, wr, rr, path);
                case (EnumSchema we, EnumSchema re):
                    RequireSameName(we, re, path);
                    return BuildEnum(writer, reader, we, re, path);
                case (FixedSchema wf, FixedSchema rf):
                    RequireSameName(wf, rf, path);
                    if (wf.Size != rf.Size)
                    {
                        throw new AvroResolutionException(path, $"the writer's {AvroSchemas.Describe(wf)} and the reader's {AvroSchemas.Describe(rf)} differ in size");
                    }

                    return new FixedPlan(writer, rf);
                case (ArraySchema wa, ArraySchema ra):
                {
                    var plan = new ArrayPlan(writer, reader);
                    plan.Items = Build(wa.ItemSchema, ra.ItemSchema, path + "[]");
                    return plan;
                }

                case (MapSchema wm, MapSchema rm):
                {
                    var plan = new MapPlan(writer, reader);
                    plan.Values = Build(wm.ValueSchema, rm.ValueSchema, path + "{}");
                    return plan;
                }

                case (PrimitiveSchema, PrimitiveSchema) when Promotes(w.Tag, r.Tag):
                    return new PrimitivePlan(writer, reader, w.Tag, r.Tag);
                default:
                    throw new AvroResolutionException(path, $"the writer's {AvroSchemas.Describe(w)} cannot be read as the reader's {AvroSchemas.Describe(r)}");
            }
        }

        private WriterUnionPlan BuildWriterUnion(Schema writer, Schema reader, UnionSchema writerUnion, UnionSchema? readerUnion, string path)
        {
            int n = writerUnion.Count;
            var branches = new AvroPlan?[n];
            var errors = new string?[n];
            var readerBranches = new int[n];
            for (int i = 0; i < n; i++)
            {
                Schema branch = writerUnion.Schemas[i];
                try
                {
                    if (readerUnion is null)
                    {
                        branches[i] = Build(branch, reader, path);
                        readerBranches[i] = -1;
                    }
                    else
                    {
                        int k = PickBranch(AvroSchemas.Underlying(branch), readerUnion);
                        if (k < 0)
                        {
                            throw new AvroResolutionException(path, $"the writer's union branch {AvroSchemas.Describe(branch)} matches no branch of the reader's {AvroSchemas.Describe(readerUnion)}");
                        }

                        branches[i] = Build(branch, readerUnion.Schemas[k], path);
                        readerBranches[i] = k;
                    }
                }
                catch (AvroResolutionException ex) when (!strict)
                {
                    errors[i] = ex.Message;
                    readerBranches[i] = -1;
                }
            }

            return new WriterUnionPlan(writer, reader, branches, errors, readerBranches);
        }

        private AvroPlan BuildRecord(Schema writer, Schema reader, RecordSchema w, RecordSchema r, string path)
        {
            if (_named.TryGetValue((w, r), out AvroPlan? known))
            {
                return known; // recursion: the plan being built
            }

            var plan = new RecordPlan(writer, r);
            _named[(w, r)] = plan;
            try
            {
                FillRecord(plan, w, r, path);
            }
            catch (AvroResolutionException)
            {
                _named.Remove((w, r)); // a half-built plan must not be reused
                throw;
            }

            return plan;
        }

        private void FillRecord(RecordPlan plan, RecordSchema w, RecordSchema r, string path)
        {
            var used = new HashSet<string>(StringComparer.Ordinal);
            var steps = new RecordStep[w.Fields.Count];
            for (int i = 0; i < w.Fields.Count; i++)
            {
                Field wf = w.Fields[i];
                Field? rf = FindReaderField(r, wf.Name);
                if (rf is null || !used.Add(rf.Name))
                {
                    steps[i] = new RecordStep(wf, null, null);
                    continue;
                }

                steps[i] = new RecordStep(wf, rf, Build(wf.Schema, rf.Schema, path + "." + rf.Name));
            }

            var defaults = new List<DefaultStep>();
            foreach (Field rf in r.Fields)
            {
                if (used.Contains(rf.Name))
                {
                    continue;
                }

                if (rf.DefaultValue is null)
                {
                    throw new AvroResolutionException(path, $"the reader's field '{rf.Name}' of {AvroSchemas.Describe(r)} is not in the writer's {AvroSchemas.Describe(w)} and has no default");
                }

                byte[] encoded;
                try
                {
                    encoded = AvroDefaults.Encode(rf.Schema, rf.DefaultValue);
                }
                catch (StreamFormatException ex)
                {
                    throw new AvroResolutionException(path + "." + rf.Name, $"the default is not a value of {AvroSchemas.Describe(rf.Schema)}: {ex.Message}");
                }

                defaults.Add(new DefaultStep(rf, encoded, Build(rf.Schema, rf.Schema, path + "." + rf.Name)));
            }

            plan.Steps = steps;
            plan.Defaults = [.. defaults];
        }

        private static Field? FindReaderField(RecordSchema reader, string writerName)
        {
            foreach (Field field in reader.Fields)
            {
                if (field.Name == writerName)
                {
                    return field;
                }
            }

            foreach (Field field in reader.Fields)
            {
                if (field.Aliases is { } aliases && aliases.Contains(writerName))
                {
                    return field;
                }
            }

            return null;
        }

        private static EnumPlan BuildEnum(Schema writer, Schema reader, EnumSchema w, EnumSchema r, string path)
        {
            var map = new int[w.Symbols.Count];
            int fallback = r.Default is { } d ? r.Ordinal(d) : -1;
            var missing = new List<string>();
            for (int i = 0; i < map.Length; i++)
            {
                int k = r.Symbols.IndexOf(w.Symbols[i]);
                if (k < 0)
                {
                    k = fallback;
                    if (k < 0)
                    {
                        missing.Add(w.Symbols[i]);
                    }
                }

                map[i] = k;
            }

            if (missing.Count > 0)
            {
                throw new AvroResolutionException(path, $"the writer's {AvroSchemas.Describe(w)} has symbols the reader's lacks ({string.Join(", ", missing)}) and the reader has no default symbol");
            }

            return new EnumPlan(writer, r, map);
        }

        private static void RequireSameName(NamedSchema writer, NamedSchema reader, string path)
        {
            if (writer.Name == reader.Name || writer.Fullname == reader.Fullname)
            {
                return;
            }

            if (HasAlias(reader, writer))
            {
                return;
            }

            throw new AvroResolutionException(path, $"the writer's {AvroSchemas.Describe(writer)} and the reader's {AvroSchemas.Describe(reader)} have different names (and no alias of the reader's names the writer's)");
        }

        // The reader union's branch for a (non-union) writer type: the first of the same type (and name), else the first it promotes to or resolves with.
        private int PickBranch(Schema writer, UnionSchema reader)
        {
            for (int i = 0; i < reader.Count; i++)
            {
                Schema branch = AvroSchemas.Underlying(reader.Schemas[i]);
                if (branch.Tag == writer.Tag && (branch is not NamedSchema named || writer is not NamedSchema wn || named.Name == wn.Name || HasAlias(named, wn)))
                {
                    return i;
                }
            }

            for (int i = 0; i < reader.Count; i++)
            {
                try
                {
                    _ = new Builder(strict).Build(writer, reader.Schemas[i], "$");
                    return i;
                }
                catch (AvroResolutionException)
                {
                }
            }

            return -1;
        }

        // An alias of the reader's names the writer: by full name, or (written without a namespace) by name in the reader's namespace.
        private static bool HasAlias(NamedSchema reader, NamedSchema writer)
        {
            foreach (string alias in AvroSchemas.Aliases(reader))
            {
                if (alias == writer.Fullname || (!alias.Contains('.', StringComparison.Ordinal) && alias == writer.Name)
                    || (reader.Namespace is { Length: > 0 } space && alias == space + "." + writer.Name))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Promotes(Schema.Type from, Schema.Type to) => from == to || (from, to) switch
        {
            (Schema.Type.Int, Schema.Type.Long or Schema.Type.Float or Schema.Type.Double) => true,
            (Schema.Type.Long, Schema.Type.Float or Schema.Type.Double) => true,
            (Schema.Type.Float, Schema.Type.Double) => true,
            (Schema.Type.String, Schema.Type.Bytes) or (Schema.Type.Bytes, Schema.Type.String) => true,
            _ => false,
        };
    }

    private sealed class PairComparer : IEqualityComparer<(Schema, Schema)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((Schema, Schema) x, (Schema, Schema) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((Schema, Schema) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
