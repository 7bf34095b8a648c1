using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastScore.Streams;
using FastScore.Streams.Schemas;

namespace FastScore.Cli.Commands;

/// <summary>
/// FastScore 1.10's <c>schema verify SCHEMA [RECORDS]</c> (is the Avro schema valid; do the records satisfy it) and
/// <c>schema infer FILE</c> (an Avro schema that every JSON record of a JSON-lines file satisfies).
/// </summary>
internal static class SchemaCommands
{
    /// <summary>The exit code of <c>schema verify</c> when records do not satisfy the schema.</summary>
    public const int RecordsRejected = 4;

    public static Command Create(CliIo io)
    {
        var schema = new Command("schema", "Avro schemas: verify a schema (and records against it), infer one from records.");

        var verifySchema = new Argument<string>("schema") { Description = "An Avro schema: a .avsc file or the schema JSON." };
        var verifyRecords = new Argument<string?>("records") { Description = "A JSON-lines file of records to check against it.", Arity = ArgumentArity.ZeroOrOne };
        var verify = new Command("verify", "Check an Avro schema and, given a JSON-lines file, every record against it (rejected records with their reason). " +
            "Exit codes: 0 valid; 1 invalid schema or unreadable file; 2 usage error; 4 records rejected.")
        {
            verifySchema, verifyRecords,
        };
        verify.SetAction((parse, ct) => Task.FromResult(Verify(io, parse.GetValue(verifySchema)!, parse.GetValue(verifyRecords))));
        schema.Subcommands.Add(verify);

        var inferFile = new Argument<string>("file") { Description = "A JSON-lines file (one JSON record a line)." };
        var inferName = new Option<string>("--name") { Description = "The top-level record's name.", DefaultValueFactory = _ => "Record" };
        var infer = new Command("infer", "Print an Avro schema that every record of a JSON-lines file satisfies (fields missing from some records become optional: [\"null\", T] with default null).")
        {
            inferFile, inferName,
        };
        infer.SetAction((parse, ct) => Task.FromResult(Infer(io, parse.GetValue(inferFile)!, parse.GetValue(inferName)!)));
        schema.Subcommands.Add(infer);
        return schema;
    }

    private static int Verify(CliIo io, string schemaText, string? recordsPath)
    {
        Avro.Schema parsed;
        try
        {
            string libraryFile = CliLibrary.IsName(schemaText) ? CliLibrary.For(io).SchemaFile(schemaText) : "";
            string json = File.Exists(schemaText) ? File.ReadAllText(schemaText) : File.Exists(libraryFile) ? File.ReadAllText(libraryFile) : schemaText;
            parsed = Avro.Schema.Parse(json);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"{schemaText}: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is Avro.AvroException or Newtonsoft.Json.JsonException or ArgumentException or FormatException or InvalidOperationException)
        {
            io.Error.WriteLine($"invalid Avro schema: {CliApp.OneLine(ex)}");
            return 1;
        }

        if (recordsPath is null)
        {
            io.Out.WriteLine("The schema contains no errors");
            return 0;
        }

        var checker = new JsonAvroSchemaChecker(parsed);
        long number = 0, rejected = 0;
        try
        {
            foreach (string line in File.ReadLines(recordsPath))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                number++;
                if (!checker.TryCheck(Encoding.UTF8.GetBytes(line), out RecordRejection rejection))
                {
                    rejected++;
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"record {number}: rejected by {(rejection.Kind == RejectionKind.Schema ? "schema" : "encoding")}: {rejection.Reason}"));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"{recordsPath}: {ex.Message}");
            return 1;
        }

        io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{number} records: {number - rejected} satisfy the schema, {rejected} rejected"));
        return rejected == 0 ? 0 : RecordsRejected;
    }

    private static int Infer(CliIo io, string path, string name)
    {
        JsonNode? type = null;
        long number = 0;
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                number++;
                JsonElement record;
                try
                {
                    using JsonDocument document = JsonDocument.Parse(line);
                    record = document.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: record {number} is not JSON: {CliApp.OneLine(ex)}"));
                    return 1;
                }

                type = Merge(type, Of(record));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"{path}: {ex.Message}");
            return 1;
        }

        if (type is null)
        {
            io.Error.WriteLine($"{path}: no record to infer a schema from.");
            return 1;
        }

        int counter = 0;
        JsonNode schema = Render(type, name, ref counter);
        string text = schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        _ = Avro.Schema.Parse(text); // what is printed is a valid schema
        io.Out.WriteLine(text);
        return 0;
    }

    // ---- inference: an intermediate form, then Avro ----
    // A type is a JsonValue ("null", "boolean", "int", "long", "double", "string"), a JsonObject {"record": {field: type},
    // "optional": [fields]}, {"array": type}, or a JsonArray of such (a union).

    private static JsonNode Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => value.TryGetInt32(out _) ? "int" : value.TryGetInt64(out _) ? "long" : "double",
        JsonValueKind.String => "string",
        JsonValueKind.Array => new JsonObject { ["array"] = value.EnumerateArray().Aggregate((JsonNode?)null, (t, e) => Merge(t, Of(e))) }, // null: no item seen yet
        _ => new JsonObject { ["record"] = new JsonObject(value.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, (JsonNode?)Of(p.Value)))) },
    };

    private static JsonNode Merge(JsonNode? a, JsonNode b)
    {
        if (a is null)
        {
            return b;
        }

        List<JsonNode> branches = [.. Branches(a)];
        foreach (JsonNode branch in Branches(b))
        {
            Add(branches, branch);
        }

        return branches.Count == 1 ? branches[0] : new JsonArray([.. branches]);
    }

    private static IEnumerable<JsonNode> Branches(JsonNode type) => type is JsonArray union ? union.Select(n => n!.DeepClone()) : [type.DeepClone()];

    private static void Add(List<JsonNode> branches, JsonNode branch)
    {
        string kind = Kind(branch);
        for (int i = 0; i < branches.Count; i++)
        {
            string other = Kind(branches[i]);
            if (other == kind && kind is "record")
            {
                branches[i] = MergeRecords((JsonObject)branches[i], (JsonObject)branch);
                return;
            }

            if (other == kind && kind is "array")
            {
                JsonNode? items = branches[i]["array"]?.DeepClone();
                branches[i] = new JsonObject { ["array"] = branch["array"] is { } more ? Merge(items, more.DeepClone()) : items };
                return;
            }

            if (other == kind)
            {
                return;
            }

            if (Numeric(other) && Numeric(kind))
            {
                branches[i] = (JsonNode)(other == "double" || kind == "double" ? "double" : "long"); // int + long = long; any + double = double
                return;
            }
        }

        branches.Add(branch);
    }

    private static bool Numeric(string kind) => kind is "int" or "long" or "double";

    private static string Kind(JsonNode type) => type switch
    {
        JsonObject o when o.ContainsKey("record") => "record",
        JsonObject => "array",
        _ => type.GetValue<string>(),
    };

    private static JsonObject MergeRecords(JsonObject a, JsonObject b)
    {
        var fa = (JsonObject)a["record"]!;
        var fb = (JsonObject)b["record"]!;
        var optional = new HashSet<string>(((a["optional"] as JsonArray) ?? []).Concat((b["optional"] as JsonArray) ?? []).Select(n => n!.GetValue<string>()), StringComparer.Ordinal);
        var fields = new JsonObject();
        foreach ((string field, JsonNode? type) in fa)
        {
            fields[field] = fb[field] is { } other ? Merge(type!.DeepClone(), other.DeepClone()) : type!.DeepClone();
            if (!fb.ContainsKey(field))
            {
                optional.Add(field);
            }
        }

        foreach ((string field, JsonNode? type) in fb)
        {
            if (!fa.ContainsKey(field))
            {
                fields[field] = type!.DeepClone();
                optional.Add(field);
            }
        }

        return new JsonObject { ["record"] = fields, ["optional"] = new JsonArray([.. optional.Order(StringComparer.Ordinal).Select(f => (JsonNode)f)]) };
    }

    private static JsonNode Render(JsonNode type, string name, ref int counter)
    {
        if (type is JsonArray union)
        {
            // Avro: null first (so that a default of null is allowed), no two branches of the same kind.
            var rendered = new JsonArray();
            foreach (JsonNode branch in union.Select(n => n!).OrderBy(n => Kind(n) == "null" ? 0 : 1))
            {
                rendered.Add(Render(branch, name, ref counter));
            }

            return rendered;
        }

        if (type is JsonObject o && o["record"] is JsonObject fields)
        {
            var optional = new HashSet<string>(((o["optional"] as JsonArray) ?? []).Select(n => n!.GetValue<string>()), StringComparer.Ordinal);
            var renderedFields = new JsonArray();
            string recordName = counter++ == 0 ? name : $"{name}{counter}";
            foreach ((string field, JsonNode? fieldType) in fields)
            {
                JsonNode t = fieldType!;
                if (optional.Contains(field) && !Branches(t).Any(b => Kind(b) == "null"))
                {
                    t = Merge("null", t.DeepClone());
                }

                var f = new JsonObject { ["name"] = field, ["type"] = Render(t, $"{name}_{field}", ref counter) };
                if (Branches(t).Any(b => Kind(b) == "null") && t is JsonArray)
                {
                    f["default"] = null;
                }

                renderedFields.Add(f);
            }

            return new JsonObject { ["type"] = "record", ["name"] = recordName, ["fields"] = renderedFields };
        }

        if (type is JsonObject array)
        {
            return new JsonObject { ["type"] = "array", ["items"] = array["array"] is { } items ? Render(items, name, ref counter) : "null" }; // only empty arrays seen
        }

        return type.DeepClone();
    }
}
