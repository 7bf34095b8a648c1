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

        var inferFile = new Argument<string>("file") { Description = "A JSON-lines file (one JSON record a line), or a CSV file with a header line (*.csv, or --format csv)." };
        var inferName = new Option<string>("--name") { Description = "The top-level record's name.", DefaultValueFactory = _ => "Record" };
        var inferFormat = new Option<string?>("--format") { Description = "jsons or csv (default: csv for a *.csv file, else jsons)." };
        var inferSeparator = new Option<char>("--separator") { Description = "CSV: the field separator.", DefaultValueFactory = _ => ',' };
        var infer = new Command("infer", "Print an Avro schema that every record of a JSON-lines or CSV file satisfies (fields missing from some records, or empty CSV cells, become optional: [\"null\", T] with default null).")
        {
            inferFile, inferName, inferFormat, inferSeparator,
        };
        infer.SetAction((parse, ct) =>
        {
            string file = parse.GetValue(inferFile)!;
            string format = parse.GetValue(inferFormat) ?? (file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "jsons");
            return Task.FromResult(format.ToLowerInvariant() switch
            {
                "csv" => InferCsv(io, file, parse.GetValue(inferName)!, parse.GetValue(inferSeparator)),
                "jsons" or "json" => Infer(io, file, parse.GetValue(inferName)!),
                _ => Usage(io, $"--format: expected jsons or csv; found '{format}'."),
            });
        });
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

    private static int Usage(CliIo io, string message)
    {
        io.Error.WriteLine(message);
        return 2;
    }

    /// <summary>
    /// <c>schema infer FILE.csv</c>: the header line names the fields (made valid Avro names: other characters become
    /// <c>_</c>); each cell is <c>boolean</c> (true/false), <c>int</c>, <c>long</c>, <c>double</c> or <c>string</c>, widened
    /// as the rows require; an empty cell makes the field optional. Quoted cells (RFC 4180) may hold separators, quotes and line breaks.
    /// </summary>
    private static int InferCsv(CliIo io, string path, string name, char separator)
    {
        List<List<string>> rows;
        try
        {
            rows = CsvRows(File.ReadAllText(path), separator);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"{path}: {ex.Message}");
            return 1;
        }

        if (rows.Count < 2)
        {
            io.Error.WriteLine($"{path}: a CSV file needs a header line and at least one record.");
            return 1;
        }

        string[] fields = [.. rows[0].Select(AvroName)];
        string? duplicate = fields.GroupBy(f => f, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            io.Error.WriteLine($"{path}: the header names the field '{duplicate}' twice (after making the names valid Avro names).");
            return 1;
        }

        JsonNode? type = null;
        for (int r = 1; r < rows.Count; r++)
        {
            List<string> row = rows[r];
            if (row.Count != fields.Length)
            {
                io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: record {r} has {row.Count} fields; the header has {fields.Length}."));
                return 1;
            }

            var record = new JsonObject();
            for (int i = 0; i < fields.Length; i++)
            {
                record[fields[i]] = CellType(row[i]);
            }

            type = Merge(type, new JsonObject { ["record"] = record });
        }

        int counter = 0;
        string text = Render(type!, name, ref counter).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        _ = Avro.Schema.Parse(text); // what is printed is a valid schema
        io.Out.WriteLine(text);
        return 0;
    }

    private static JsonNode CellType(string cell) =>
        cell.Length == 0 ? "null"
        : cell is "true" or "false" ? "boolean"
        : int.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? "int"
        : long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? "long"
        : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? "double"
        : "string";

    /// <summary>A header cell as an Avro name: letters, digits and '_', not starting with a digit.</summary>
    private static string AvroName(string header)
    {
        var name = new StringBuilder(header.Trim().Length + 1);
        foreach (char c in header.Trim())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        return name.ToString();
    }

    /// <summary>Splits CSV text into rows of cells (RFC 4180: quoted cells, doubled quotes, CRLF or LF); empty lines are skipped.</summary>
    internal static List<List<string>> CsvRows(string text, char separator)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        bool any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c != '"')
                {
                    cell.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = any = true;
            }
            else if (c == separator)
            {
                row.Add(cell.ToString());
                cell.Clear();
                any = true;
            }
            else if (c is '\r' or '\n')
            {
                if (any || cell.Length > 0)
                {
                    row.Add(cell.ToString());
                    rows.Add(row);
                }

                row = [];
                cell.Clear();
                any = false;
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
            }
            else
            {
                cell.Append(c);
                any = true;
            }
        }

        if (any || cell.Length > 0)
        {
            row.Add(cell.ToString());
            rows.Add(row);
        }

        return rows;
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
