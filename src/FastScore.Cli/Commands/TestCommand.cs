using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Cli.Commands;

/// <summary>
/// <c>fastscore test FILE...</c>: runs the cases of a test file in this process (a model, the records each input slot
/// reads, the records each output slot must write, the records that must be rejected) and prints PASS / FAIL with a
/// readable diff. Exit codes: 0 every case passed; 1 a case failed; 2 the test file is invalid.
/// </summary>
/// <remarks>The format is documented in docs/cli.md (fastscore test).</remarks>
internal static class TestCommand
{
    private static readonly JsonDocumentOptions s_documentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly JsonSerializerOptions s_compact = new() { WriteIndented = false };

    public static Command Create(CliIo io)
    {
        var files = new Argument<string[]>("file") { Description = "Test files (JSON; see docs/cli.md, fastscore test).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("test",
            "Run a model on the records of a test file in this process and compare what it writes and rejects with what the file expects; " +
            "PASS / FAIL per case with a diff. Exit codes: 0 every case passed; 1 a case failed; 2 invalid test file.")
        {
            files,
        };
        command.SetAction(async (parse, ct) =>
        {
            int exit = 0;
            foreach (string file in parse.GetValue(files)!)
            {
                exit = Math.Max(exit, await RunFileAsync(io, file, ct).ConfigureAwait(false));
            }

            return exit;
        });
        return command;
    }

    private static async Task<int> RunFileAsync(CliIo io, string path, CancellationToken cancellationToken)
    {
        TestFile? file = TestFile.Read(path, io.Error);
        if (file is null)
        {
            return 2;
        }

        int passed = 0;
        int failed = 0;
        foreach (TestCase test in file.Cases)
        {
            List<string>? differences = await RunCaseAsync(io, file, test, cancellationToken).ConfigureAwait(false);
            if (differences is null)
            {
                return 2;
            }

            if (differences.Count == 0)
            {
                passed++;
                io.Out.WriteLine($"PASS  {test.Name}");
            }
            else
            {
                failed++;
                io.Out.WriteLine($"FAIL  {test.Name}");
                foreach (string line in differences)
                {
                    io.Out.WriteLine("      " + line);
                }
            }
        }

        io.Out.WriteLine($"{path}: {passed} passed, {failed} failed");
        return failed > 0 ? 1 : 0;
    }

    /// <summary>Runs one case; the differences (empty: passed), or null after printing why the case cannot run.</summary>
    private static async Task<List<string>?> RunCaseAsync(CliIo io, TestFile file, TestCase test, CancellationToken cancellationToken)
    {
        IModel model;
        try
        {
            model = ModelLoader.Load(file.Model, file.Assembly, file.Type, CliLibrary.For(io));
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or BadImageFormatException or TypeLoadException or MissingMethodException)
        {
            io.Error.WriteLine($"{file.Path}: model: {CliApp.OneLine(ex)}");
            return null;
        }

        string folder = Directory.CreateTempSubdirectory("fastscore-test-").FullName;
        try
        {
            StreamDescriptorOptions descriptorOptions = CliStreams.DescriptorOptions(io, null);
            var descriptors = new SortedDictionary<int, StreamDescriptor>();
            var outputs = new SortedDictionary<int, string>();
            foreach (SlotDefinition slot in model.Slots)
            {
                string data = Path.Combine(folder, $"slot{slot.Slot}.data");
                if (slot.IsInput)
                {
                    var text = new StringBuilder();
                    foreach (JsonNode? record in test.Inputs.GetValueOrDefault(slot.Slot) ?? [])
                    {
                        text.Append(record is JsonObject raw && raw.Count == 1 && raw["$raw"] is JsonValue value && value.TryGetValue(out string? line)
                            ? line
                            : record?.ToJsonString(s_compact) ?? "null").Append('\n');
                    }

                    await File.WriteAllTextAsync(data, text.ToString(), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    outputs[slot.Slot] = data;
                }

                JsonObject descriptor = file.Streams.TryGetValue(slot.Slot, out JsonObject? given) ? (JsonObject)given.DeepClone() : new JsonObject { ["Encoding"] = "json" };
                descriptor["Transport"] = new JsonObject { ["Type"] = "file", ["Path"] = data };
                descriptors[slot.Slot] = StreamDescriptor.Parse(descriptor.ToJsonString(), descriptorOptions);
            }

            var options = new EngineOptions
            {
                OnModelError = ModelErrorPolicy.Skip,
                MaxReports = 100_000,
                SchemaLookup = descriptorOptions.SchemaLibrary is { } library ? name => library.TryGetSchemaJson(name, out string? json) ? json : null : null,
            };
            EngineInspection inspection;
            await using (var engine = new ScoringEngine(CliStreams.CreateFactory(), options))
            {
                engine.LoadModel(model, file.Model);
                foreach ((int slot, StreamDescriptor descriptor) in descriptors)
                {
                    engine.Attach(slot, descriptor, $"slot {slot}");
                }

                await engine.RunAsync(cancellationToken).ConfigureAwait(false);
                inspection = engine.Inspect();
            }

            (model as IDisposable)?.Dispose();
            var differences = new List<string>();
            if (inspection.Error is { } error)
            {
                differences.Add($"the run failed: {error}");
            }

            foreach ((int slot, string data) in outputs)
            {
                string[] actual = File.Exists(data) ? await File.ReadAllLinesAsync(data, cancellationToken).ConfigureAwait(false) : [];
                if (test.Outputs.TryGetValue(slot, out List<JsonNode?>? expected))
                {
                    CompareOutputs(slot, expected, actual, file.Tolerance, differences);
                }
            }

            CompareRejections(test, inspection, differences);
            return differences;
        }
        catch (DescriptorException ex)
        {
            io.Error.WriteLine($"{file.Path}: streams: {ex.Message}");
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or StreamException or IOException)
        {
            io.Error.WriteLine($"{file.Path}: {test.Name}: {CliApp.OneLine(ex)}");
            return null;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void CompareOutputs(int slot, List<JsonNode?> expected, string[] actual, double tolerance, List<string> differences)
    {
        for (int i = 0; i < Math.Max(expected.Count, actual.Length); i++)
        {
            string where = string.Create(CultureInfo.InvariantCulture, $"slot {slot} output record {i + 1}");
            if (i >= actual.Length)
            {
                differences.Add($"{where}: missing; expected {expected[i]?.ToJsonString(s_compact) ?? "null"}");
                continue;
            }

            if (i >= expected.Count)
            {
                differences.Add($"{where}: unexpected {actual[i]}");
                continue;
            }

            JsonNode? got;
            try
            {
                got = JsonNode.Parse(actual[i]);
            }
            catch (JsonException)
            {
                got = JsonValue.Create(actual[i]); // not JSON: compared as text
            }

            if (Difference(expected[i], got, "$", tolerance) is { } difference)
            {
                differences.Add($"{where}: {difference}");
                differences.Add($"  expected: {expected[i]?.ToJsonString(s_compact) ?? "null"}");
                differences.Add($"  actual:   {actual[i]}");
            }
        }
    }

    private static void CompareRejections(TestCase test, EngineInspection inspection, List<string> differences)
    {
        var actual = inspection.Rejections.Select(r => (r.Slot, r.RecordNumber, Reason: $"rejected by {(r.Kind == Streams.Schemas.RejectionKind.Schema ? "schema" : "encoding")}: {r.Reason}"))
            .Concat(inspection.ModelErrors.Select(e => (e.Slot, e.RecordNumber, Reason: $"model error: {e.Message}")))
            .ToList();
        foreach (ExpectedRejection want in test.Rejected)
        {
            int found = actual.FindIndex(a => a.Slot == want.Slot && a.RecordNumber == want.Record);
            if (found < 0)
            {
                differences.Add(string.Create(CultureInfo.InvariantCulture, $"slot {want.Slot} record {want.Record}: expected to be rejected{(want.Reason is null ? "" : $" (\"{want.Reason}\")")}, was not"));
                continue;
            }

            if (want.Reason is not null && !actual[found].Reason.Contains(want.Reason, StringComparison.OrdinalIgnoreCase))
            {
                differences.Add(string.Create(CultureInfo.InvariantCulture, $"slot {want.Slot} record {want.Record}: rejected, but the reason does not contain \"{want.Reason}\": {actual[found].Reason}"));
            }

            actual.RemoveAt(found);
        }

        foreach ((int slot, long record, string reason) in actual)
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"slot {slot} record {record}: unexpectedly {reason}"));
        }
    }

    /// <summary>Where two JSON values differ (objects by member, arrays by element, numbers within the tolerance), or null.</summary>
    internal static string? Difference(JsonNode? expected, JsonNode? actual, string path, double tolerance)
    {
        switch (expected, actual)
        {
            case (null, null):
                return null;
            case (JsonObject e, JsonObject a):
                foreach ((string key, JsonNode? value) in e)
                {
                    if (!a.ContainsKey(key))
                    {
                        return $"{path}.{key}: missing";
                    }

                    if (Difference(value, a[key], $"{path}.{key}", tolerance) is { } inner)
                    {
                        return inner;
                    }
                }

                string? extra = a.Select(p => p.Key).FirstOrDefault(k => !e.ContainsKey(k));
                return extra is null ? null : $"{path}.{extra}: unexpected member";
            case (JsonArray e, JsonArray a):
                if (e.Count != a.Count)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"{path}: {a.Count} elements, expected {e.Count}");
                }

                for (int i = 0; i < e.Count; i++)
                {
                    if (Difference(e[i], a[i], string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), tolerance) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case (JsonValue e, JsonValue a) when e.GetValueKind() == JsonValueKind.Number && a.GetValueKind() == JsonValueKind.Number:
                double x = e.GetValue<double>();
                double y = a.GetValue<double>();
                return Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y)))
                    ? null
                    : $"{path}: expected {e.ToJsonString()}, got {a.ToJsonString()}";
            default:
                string want = expected?.ToJsonString(s_compact) ?? "null";
                string got = actual?.ToJsonString(s_compact) ?? "null";
                return want == got ? null : $"{path}: expected {want}, got {got}";
        }
    }

    private sealed record ExpectedRejection(int Slot, long Record, string? Reason);

    private sealed record TestCase(string Name, Dictionary<int, List<JsonNode?>> Inputs, Dictionary<int, List<JsonNode?>> Outputs, List<ExpectedRejection> Rejected);

    private sealed record TestFile(string Path, string Model, string? Assembly, string? Type, Dictionary<int, JsonObject> Streams, double Tolerance, List<TestCase> Cases)
    {
        /// <summary>Reads and checks a test file; prints every problem with its JSON path and returns null when invalid.</summary>
        public static TestFile? Read(string path, TextWriter error)
        {
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(File.ReadAllText(path), documentOptions: s_documentOptions);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"{path}: {ex.Message}");
                return null;
            }
            catch (JsonException ex)
            {
                error.WriteLine($"{path}: not JSON: {ex.Message}");
                return null;
            }

            var problems = new List<string>();
            string model = "";
            string? assembly = null;
            string? type = null;
            var streams = new Dictionary<int, JsonObject>();
            double tolerance = 0;
            var cases = new List<TestCase>();
            if (root is not JsonObject top)
            {
                problems.Add("$: expected an object with \"model\" and \"tests\"");
            }
            else
            {
                switch (top["model"])
                {
                    case JsonValue v when v.TryGetValue(out string? name):
                        model = name;
                        break;
                    case JsonObject o when o["assembly"] is JsonValue a && a.TryGetValue(out string? dll) && o["type"] is JsonValue t && t.TryGetValue(out string? typeName):
                        assembly = System.IO.Path.GetFullPath(dll, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
                        type = model = typeName;
                        break;
                    default:
                        problems.Add("$.model: expected a model name (\"iris\") or {\"assembly\": \"path.dll\", \"type\": \"Namespace.Type\"}");
                        break;
                }

                if (top["tolerance"] is { } tol)
                {
                    if (tol is JsonValue tv && tv.GetValueKind() == JsonValueKind.Number && tv.GetValue<double>() is >= 0 and var t)
                    {
                        tolerance = t;
                    }
                    else
                    {
                        problems.Add("$.tolerance: expected a number, 0 or more (the relative difference allowed between numbers)");
                    }
                }

                if (top["streams"] is JsonObject s)
                {
                    foreach ((string key, JsonNode? value) in s)
                    {
                        if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int slot))
                        {
                            problems.Add($"$.streams.{key}: expected a slot number");
                        }
                        else if (value is not JsonObject descriptor)
                        {
                            problems.Add($"$.streams.{key}: expected descriptor fields, e.g. {{\"Encoding\": \"json\", \"Schema\": {{\"$ref\": \"name\"}}}}");
                        }
                        else
                        {
                            streams[slot] = descriptor;
                        }
                    }
                }
                else if (top["streams"] is not null)
                {
                    problems.Add("$.streams: expected an object: slot → descriptor fields");
                }

                if (top["tests"] is not JsonArray tests || tests.Count == 0)
                {
                    problems.Add("$.tests: expected a non-empty array of test cases");
                }
                else
                {
                    for (int i = 0; i < tests.Count; i++)
                    {
                        if (ReadCase(tests[i], $"$.tests[{i}]", problems) is { } test)
                        {
                            cases.Add(test);
                        }
                    }
                }
            }

            foreach (string problem in problems)
            {
                error.WriteLine($"{path}: {problem}");
            }

            return problems.Count == 0 ? new TestFile(path, model, assembly, type, streams, tolerance, cases) : null;
        }

        private static TestCase? ReadCase(JsonNode? node, string at, List<string> problems)
        {
            if (node is not JsonObject o)
            {
                problems.Add($"{at}: expected an object");
                return null;
            }

            string name = o["name"] is JsonValue n && n.TryGetValue(out string? given) ? given : at;
            var inputs = Records(o, "input", "inputs", 0, at, problems);
            var outputs = Records(o, "output", "outputs", 1, at, problems);
            var rejected = new List<ExpectedRejection>();
            if (o["rejected"] is JsonArray list)
            {
                for (int i = 0; i < list.Count; i++)
                {
                    if (list[i] is JsonObject r && r["record"] is JsonValue rv && rv.TryGetValue(out long record) && record > 0)
                    {
                        int slot = r["slot"] is JsonValue sv && sv.TryGetValue(out int s) ? s : 0;
                        string? reason = r["reason"] is JsonValue why && why.TryGetValue(out string? text) ? text : null;
                        rejected.Add(new ExpectedRejection(slot, record, reason));
                    }
                    else
                    {
                        problems.Add($"{at}.rejected[{i}]: expected {{\"record\": N (1 = the first), \"slot\": 0, \"reason\": \"part of the reason\"}}");
                    }
                }
            }
            else if (o["rejected"] is not null)
            {
                problems.Add($"{at}.rejected: expected an array");
            }

            if (inputs.Count == 0)
            {
                problems.Add($"{at}: give \"input\" (slot 0's records) or \"inputs\" ({{\"0\": [...], \"2\": [...]}})");
            }

            return new TestCase(name, inputs, outputs, rejected);
        }

        private static Dictionary<int, List<JsonNode?>> Records(JsonObject o, string single, string many, int defaultSlot, string at, List<string> problems)
        {
            var records = new Dictionary<int, List<JsonNode?>>();
            if (o[single] is JsonArray one)
            {
                records[defaultSlot] = [.. one.Select(r => r?.DeepClone())];
            }
            else if (o[single] is not null)
            {
                problems.Add($"{at}.{single}: expected an array of records");
            }

            if (o[many] is JsonObject slots)
            {
                foreach ((string key, JsonNode? value) in slots)
                {
                    if (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int slot) && value is JsonArray array)
                    {
                        records[slot] = [.. array.Select(r => r?.DeepClone())];
                    }
                    else
                    {
                        problems.Add($"{at}.{many}.{key}: expected a slot number and an array of records");
                    }
                }
            }
            else if (o[many] is not null)
            {
                problems.Add($"{at}.{many}: expected an object: slot → records");
            }

            return records;
        }
    }
}
