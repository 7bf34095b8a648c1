namespace FastScore.Cli.Tests;

/// <summary><c>fastscore schema verify</c> and <c>fastscore schema infer</c> on real files.</summary>
public sealed class SchemaCommandTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-schema-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Verify_accepts_a_valid_schema_and_names_what_is_wrong_with_an_invalid_one()
    {
        var (okExit, okOut, _, _) = await CliRunner.RunAsync("schema", "verify", """{"type": "record", "name": "P", "fields": [{"name": "x", "type": "double"}]}""");
        var (badExit, _, badErr, _) = await CliRunner.RunAsync("schema", "verify", """{"type": "record", "name": "P", "fields": [{"name": "x", "type": "dubble"}]}""");

        Assert.Multiple(() =>
        {
            Assert.That(okExit, Is.EqualTo(0));
            Assert.That(okOut, Is.EqualTo("The schema contains no errors\n"));
            Assert.That(badExit, Is.EqualTo(1));
            Assert.That(badErr, Does.StartWith("invalid Avro schema: ").And.Contain("dubble"));
        });
    }

    [Test]
    public async Task Verify_checks_every_record_and_exits_4_naming_each_rejected_one()
    {
        string schema = Path.Combine(_dir, "p.avsc");
        string records = Path.Combine(_dir, "p.jsons");
        await File.WriteAllTextAsync(schema, """{"type": "record", "name": "P", "fields": [{"name": "x", "type": "double"}]}""");
        await File.WriteAllTextAsync(records, "{\"x\": 1.5}\n{\"x\": \"a\"}\n{\"y\": 2}\n{\"x\": 3}\n");

        var (exit, stdout, err, _) = await CliRunner.RunAsync("schema", "verify", schema, records);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(4));
            Assert.That(stdout, Is.EqualTo("record 2: rejected by schema: $.x: expected double, got \"a\"\nrecord 3: rejected by schema: $.y: unexpected field (not in record P)\n"));
            Assert.That(err, Is.EqualTo("4 records: 2 satisfy the schema, 2 rejected\n"));
        });
    }

    [Test]
    public async Task Infer_gives_a_schema_that_every_record_satisfies_with_optional_fields_and_widened_numbers()
    {
        string records = Path.Combine(_dir, "in.jsons");
        await File.WriteAllTextAsync(records, "{\"id\": 1, \"score\": 2, \"tags\": [\"a\"], \"p\": {\"q\": true}}\n{\"id\": 5000000000, \"score\": 0.5, \"tags\": [], \"note\": \"x\", \"p\": {\"q\": false}}\n");

        var (exit, stdout, err, _) = await CliRunner.RunAsync("schema", "infer", records, "--name", "Event");
        string schema = Path.Combine(_dir, "inferred.avsc");
        await File.WriteAllTextAsync(schema, stdout);
        var (verifyExit, _, verifyErr, _) = await CliRunner.RunAsync("schema", "verify", schema, records);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(stdout, Does.Contain("\"name\": \"Event\""));
            Assert.That(stdout, Does.Match(@"""name"": ""id"",\s+""type"": ""long"""), "int and long widen to long");
            Assert.That(stdout, Does.Match(@"""name"": ""score"",\s+""type"": ""double"""), "int and double widen to double");
            Assert.That(stdout, Does.Match(@"""name"": ""note"",\s+""type"": \[\s+""null"",\s+""string""\s+\],\s+""default"": null"), "a field missing from a record is optional");
            Assert.That(stdout, Does.Match(@"""type"": ""array"",\s+""items"": ""string"""));
            Assert.That(verifyExit, Is.EqualTo(0), verifyErr);
            Assert.That(verifyErr, Is.EqualTo("2 records: 2 satisfy the schema, 0 rejected\n"));
        });
    }

    [Test]
    public async Task Infer_reads_csv_with_a_header_quoted_cells_and_empty_cells_as_optional_fields()
    {
        string csv = Path.Combine(_dir, "rows.csv");
        await File.WriteAllTextAsync(csv, "id,sepal length,name,ok,score\r\n1,5.1,\"Iris, setosa\",true,2\r\n2,4.9,\"say \"\"hi\"\"\nthere\",false,\r\n3000000000,5,x,true,0.5\r\n");
        string ragged = Path.Combine(_dir, "ragged.csv");
        await File.WriteAllTextAsync(ragged, "a,b\n1,2\n3\n");

        var (exit, stdout, err, _) = await CliRunner.RunAsync("schema", "infer", csv, "--name", "Row");
        var (raggedExit, _, raggedErr, _) = await CliRunner.RunAsync("schema", "infer", ragged);
        var (formatExit, _, formatErr, _) = await CliRunner.RunAsync("schema", "infer", csv, "--format", "xml");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(stdout, Does.Contain("\"name\": \"Row\""));
            Assert.That(stdout, Does.Match(@"""name"": ""id"",\s+""type"": ""long"""), "int and long widen to long");
            Assert.That(stdout, Does.Match(@"""name"": ""sepal_length"",\s+""type"": ""double"""), "a header cell becomes a valid Avro name");
            Assert.That(stdout, Does.Match(@"""name"": ""name"",\s+""type"": ""string"""));
            Assert.That(stdout, Does.Match(@"""name"": ""ok"",\s+""type"": ""boolean"""));
            Assert.That(stdout, Does.Match(@"""name"": ""score"",\s+""type"": \[\s+""null"",\s+""double""\s+\],\s+""default"": null"), "an empty cell makes the field optional");
            Assert.That(raggedExit, Is.EqualTo(1));
            Assert.That(raggedErr, Does.Contain("record 2 has 1 fields; the header has 2"));
            Assert.That(formatExit, Is.EqualTo(2));
            Assert.That(formatErr, Does.Contain("--format: expected jsons or csv"));
        });
    }
}
