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
}
