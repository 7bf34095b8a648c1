using FastScore.Cli;

namespace FastScore.Cli.Tests.Commands;

/// <summary><c>fastscore stream verify</c>: exit code and output.</summary>
public sealed class StreamVerifyCommandTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"fs-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private static string Examples(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", "fastscore-examples", .. parts]);

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public async Task A_valid_file_prints_the_normalised_descriptor_and_exits_0()
    {
        string file = Write("in.json", """{"Transport": {"Type": "file", "Path": "/data/in.jsons"}, "Encoding": "json"}""");
        (int code, string output, string error) = await Run("stream", "verify", file);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, error);
            Assert.That(output, Does.Contain("\"Envelope\": {").And.Contain("\"LingerTime\": 3000").And.Contain("\"Schema\": \"$inherit\""));
            Assert.That(output.TrimEnd(), Does.EndWith("The stream descriptor contains no errors"));
            Assert.That(error, Is.Empty);
        });
    }

    [Test]
    public async Task Secrets_are_masked_in_the_output()
    {
        string file = Write("s3.json", """{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AccessKeyID": "AKIA", "SecretAccessKey": "hunter2"}, "Encoding": "json"}""");
        (int code, string output, _) = await Run("stream", "verify", file);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero);
            Assert.That(output, Does.Not.Contain("hunter2").And.Not.Contain("AKIA"));
            Assert.That(output, Does.Contain("\"SecretAccessKey\": \"*****\""));
        });
    }

    [Test]
    public async Task An_invalid_file_prints_every_error_with_its_path_and_exits_1()
    {
        string file = Write("bad.json", """{"Transport": {"Type": "tcp", "Host": "h", "Port": 70000}, "Encoding": "jsno", "Loop": true}""");
        (int code, string output, string error) = await Run("stream", "verify", file);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(output, Is.Empty);
            Assert.That(error, Does.Contain("3 errors"));
            Assert.That(error, Does.Contain("Transport.Port: must be an integer from 1 to 65535; found 70000."));
            Assert.That(error, Does.Contain("Encoding: 'jsno' is not a known encoding"));
            Assert.That(error, Does.Contain("Loop: true needs a seekable transport"));
            Assert.That(error, Does.Contain(file));
        });
    }

    [Test]
    public async Task Malformed_json_reports_line_and_position()
    {
        string file = Write("broken.json", "{\n  \"Transport\": \"REST\",\n}");
        (int code, _, string error) = await Run("stream", "verify", file);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain("malformed JSON at line 3"));
        });
    }

    [TestCase("rest:", "\"Type\": \"rest\"")]
    [TestCase("kafka:broker:9092/scores.json", "\"Topic\": \"scores\"")]
    [TestCase("inline:1,2,3", "\"Data\": [")]
    [TestCase("file:/data/in.utf8", "\"Encoding\": \"utf-8\"")]
    public async Task A_literal_is_verified(string literal, string fragment)
    {
        (int code, string output, string error) = await Run("stream", "verify", literal);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, error);
            Assert.That(output, Does.Contain(fragment).And.Contain("The stream descriptor contains no errors"));
        });
    }

    [Test]
    public async Task A_bad_literal_shows_valid_syntax()
    {
        (int code, _, string error) = await Run("stream", "verify", "kafak:b/t");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain("Did you mean 'kafka'?").And.Contain("Example: kafka:broker:9092/topic.json"));
        });
    }

    [Test]
    public async Task Text_that_is_neither_a_file_nor_a_literal_is_an_error()
    {
        (int code, _, string error) = await Run("stream", "verify", Path.Combine(_dir, "missing.json"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain("neither an existing descriptor file nor a stream literal"));
        });
    }

    [TestCase("discard:", "0", "a discard transport cannot be an input, but slot 0 is an input slot")]
    [TestCase("inline:1,2", "1", "an inline transport cannot be an output, but slot 1 is an output slot")]
    [TestCase("http://host/data.jsons", "3", "an http transport cannot be an output")]
    public async Task A_slot_of_the_wrong_direction_is_an_error_at_Transport(string literal, string slot, string fragment)
    {
        (int code, string output, string error) = await Run("stream", "verify", literal, slot);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(output, Is.Empty);
            Assert.That(error, Does.Contain($"Transport: {fragment}"));
        });
    }

    [TestCase("discard:", "1")]
    [TestCase("inline:1,2", "0")]
    [TestCase("rest:", "0")]
    [TestCase("rest:", "5")]
    public async Task A_slot_of_the_right_direction_passes(string literal, string slot)
    {
        (int code, string output, string error) = await Run("stream", "verify", literal, slot);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, error);
            Assert.That(output, Does.Contain("The stream descriptor contains no errors"));
        });
    }

    [Test]
    public async Task A_negative_slot_is_refused()
    {
        (int code, _, string error) = await Run("stream", "verify", "rest:", "--", "-1");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain("Invalid slot -1"));
        });
    }

    [Test]
    public async Task A_schema_ref_is_checked_against_the_schemas_folder()
    {
        (int code, string output, string error) = await Run("stream", "verify", Examples("streams", "four-doubles-input-file.json"), "--schemas", Examples("schemas"));
        Assert.Multiple(() =>
        {
            AssertRunnableOrNotYetImplemented(code, error);
            Assert.That(output, Does.Contain("\"$ref\": \"four-doubles\""));
        });
    }

    [Test]
    public async Task A_missing_schema_ref_is_an_error_when_a_schemas_folder_is_given()
    {
        string file = Write("ref.json", """{"Transport": "REST", "Encoding": "json", "Schema": {"$ref": "four-dubles"}}""");
        (int code, _, string error) = await Run("stream", "verify", file, "--schemas", Examples("schemas"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain("Schema.$ref: no schema named 'four-dubles'").And.Contain("Did you mean 'four-doubles'?"));
        });
    }

    [Test]
    public async Task A_missing_schemas_folder_is_an_error()
    {
        (int code, _, string error) = await Run("stream", "verify", "rest:", "--schemas", Path.Combine(_dir, "nope"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain("--schemas").And.Contain("not found"));
        });
    }

    [Test]
    public async Task Warnings_are_printed_and_the_descriptor_still_passes()
    {
        string file = Write("v.json", """{"Version": "1.4", "Transport": "REST"}""");
        (int code, _, string error) = await Run("stream", "verify", file);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero);
            Assert.That(error, Does.Contain("Warning: Version: '1.4' is newer than 1.2"));
        });
    }

    [Test]
    public async Task The_internal_form_uses_fastscore_snake_case()
    {
        (int code, string output, _) = await Run("stream", "verify", "rest:", "--internal");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero);
            Assert.That(output, Does.Contain("\"linger_time\": 3000").And.Contain("\"nagle_time\": 500"));
        });
    }

    public static IEnumerable<string> ExampleFiles() =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "fastscore-examples", "streams"), "*.json")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!;

    [TestCaseSource(nameof(ExampleFiles))]
    public async Task Every_fastscore_example_verifies_with_its_schemas(string file)
    {
        (int code, string output, string error) = await Run("stream", "verify", Examples("streams", file), "--schemas", Examples("schemas"));
        Assert.Multiple(() =>
        {
            AssertRunnableOrNotYetImplemented(code, error);
            Assert.That(output, Does.Contain(code == 0 ? "The stream descriptor contains no errors" : "\"Transport\""));
        });
    }

    /// <summary>Valid and runnable (exit 0), or valid but naming a FastScore component no registered provider runs yet (csv, avro-binary: exit 1, and says so).</summary>
    private static void AssertRunnableOrNotYetImplemented(int code, string error)
    {
        if (code != 0)
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain("cannot run it").And.Contain("is not available: no registered provider implements it yet"));
        }
    }

    [TestCase("""{"Transport": {"Type": "HDFS", "NameNode": "namenode:9000", "Path": "/data/in.jsons"}}""", "Transport.Type: 'hdfs' has no registered transport")]
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.avro"}, "Encoding": "msgpack"}""", "is not available")]
    public async Task A_valid_descriptor_this_fastscore_cannot_run_fails_verify(string descriptor, string fragment)
    {
        (int code, string output, string error) = await Run("stream", "verify", descriptor);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain(fragment).And.Contain("cannot run it").And.Not.Contain("   at "));
            Assert.That(output, Does.Not.Contain(FastScore.Cli.Commands.StreamVerifyCommand.NoErrors));
        });
    }

    /// <summary>
    /// Issue 15: a field only one direction needs is checked when verify knows the direction (the slot argument: odd
    /// slots are outputs), not only when the stream is created: a UDP output without Host, a TCP output that would listen.
    /// </summary>
    [TestCase("""{"Transport": {"Type": "UDP", "Port": 9999}}""", "1", "Transport.Host", "a UDP output sends each record to Host:Port")]
    [TestCase("""{"Transport": {"Type": "UDP", "Host": "0.0.0.0", "Port": 9999}}""", "3", "Transport.Host", "a UDP output sends each record to Host:Port")]
    [TestCase("""{"Transport": {"Type": "UDP", "Host": "127.0.0.1", "Port": 0}}""", "1", "Transport.Port", "a UDP output sends to a port from 1 to 65535")]
    [TestCase("tcp::9000", "1", "Transport.Host", "a TCP output connects: give the host to send to")]
    public async Task An_output_slot_checks_the_fields_an_output_needs(string descriptor, string slot, string path, string reason)
    {
        (int code, string output, string error) = await Run("stream", "verify", descriptor, slot);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1), output);
            Assert.That(error, Does.Contain($"cannot run it in slot {slot} (an output)").And.Contain(path).And.Contain(reason).And.Not.Contain("   at "));
            Assert.That(output, Does.Not.Contain(FastScore.Cli.Commands.StreamVerifyCommand.NoErrors));
        });
    }

    [TestCase("""{"Transport": {"Type": "UDP", "Port": 9999}}""", "0")]
    [TestCase("""{"Transport": {"Type": "UDP", "Port": 9999}}""", null)]
    [TestCase("""{"Transport": {"Type": "UDP", "Host": "127.0.0.1", "Port": 9999}}""", "1")]
    [TestCase("tcp::9000", "0")]
    [TestCase("tcp:127.0.0.1:9000", "1")]
    public async Task The_same_descriptors_verify_in_the_direction_they_can_serve(string descriptor, string? slot)
    {
        (int code, string output, string error) = await (slot is null ? Run("stream", "verify", descriptor) : Run("stream", "verify", descriptor, slot));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, error);
            Assert.That(output.TrimEnd(), Does.EndWith(FastScore.Cli.Commands.StreamVerifyCommand.NoErrors));
        });
    }

    /// <summary>Issue 14: avro-binary, ocf-block, csv and delimited-csv run, so verify accepts them (exit 0).</summary>
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.avro"}, "Envelope": "ocf-block", "Encoding": "avro-binary", "Schema": "int"}""")]
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.avro"}, "Envelope": {"Type": "ocf-block", "Compress": "zstandard"}, "Encoding": "avro-binary", "Schema": "$inherit"}""")]
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.bin"}, "Encoding": "avro-binary", "Schema": {"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}}""")]
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.csv"}, "Envelope": {"Type": "delimited-csv", "Separator": "\n", "SkipHeader": false}, "Encoding": {"Type": "csv", "Delimiter": ";;", "QuoteCharacter": "'"}, "Schema": {"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "double"]}]}}""")]
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.csv"}, "Encoding": "csv"}""")]
    public async Task Avro_and_csv_descriptors_verify(string descriptor)
    {
        (int code, string output, string error) = await Run("stream", "verify", descriptor);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), error);
            Assert.That(output, Does.Contain(FastScore.Cli.Commands.StreamVerifyCommand.NoErrors));
        });
    }

    /// <summary>Issue 14: the rules of avro-binary and csv are verify errors with field paths.</summary>
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.bin"}, "Encoding": "avro-binary", "Schema": null}""", "Schema")]
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.csv"}, "Encoding": "csv", "Schema": {"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "array", "items": "int"}}]}}""", "Schema.fields[0]: the csv encoding cannot hold field 'a'")]
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.csv"}, "Encoding": {"Type": "csv", "Delimiter": ""}, "Schema": {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}}""", "Encoding.Delimiter")]
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.avro"}, "Envelope": {"Type": "ocf-block", "Compress": "lz4"}, "Encoding": "avro-binary", "Schema": "int"}""", "Envelope.Compress")]
    [TestCase("""{"Transport": {"Type": "file", "Path": "/d/in.avro"}, "Envelope": "ocf-block", "Encoding": "json"}""", "Envelope")]
    public async Task Avro_and_csv_rules_are_verify_errors(string descriptor, string fragment)
    {
        (int code, string output, string error) = await Run("stream", "verify", descriptor);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error + output, Does.Contain(fragment).And.Not.Contain("   at "));
            Assert.That(output, Does.Not.Contain(FastScore.Cli.Commands.StreamVerifyCommand.NoErrors));
        });
    }

    [Test]
    public async Task A_missing_argument_is_reported_by_the_parser()
    {
        (int code, _, string error) = await Run("stream", "verify");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Not.Zero);
            Assert.That(error, Is.Not.Empty);
        });
    }
}
