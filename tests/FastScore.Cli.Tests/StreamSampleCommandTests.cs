using FastScore.Streams.TestUtilities;

namespace FastScore.Cli.Tests;

public sealed class StreamSampleCommandTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-sample-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Sample_prints_the_first_three_iris_records_numbered()
    {
        var (exit, stdout, err, _) = await CliRunner.RunAsync("stream", "sample", "file:" + CliRunner.IrisInputs, "-n", "3");
        string[] expected = File.ReadLines(CliRunner.IrisInputs).Take(3).Select((l, i) => $"{i + 1,4}: {l}").ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(expected));
        });
    }

    /// <summary>Issue 14 point 6: Avro container files and CSV rows are printed as the JSON they decode to.</summary>
    [Test]
    public async Task Sample_prints_avro_and_csv_records_as_json()
    {
        const string schema = """{"type":"record","name":"R","fields":[{"name":"id","type":"int"},{"name":"name","type":["null","string"]}]}""";
        var avro = (Avro.RecordSchema)Avro.Schema.Parse(schema);
        string ocf = Path.Combine(_dir, "in.avro");
        using (Avro.File.IFileWriter<Avro.Generic.GenericRecord> writer = Avro.File.DataFileWriter<Avro.Generic.GenericRecord>.OpenWriter(
            new Avro.Generic.GenericDatumWriter<Avro.Generic.GenericRecord>(avro), ocf, Avro.File.Codec.CreateCodec(Avro.File.Codec.Type.Deflate)))
        {
            for (int i = 1; i <= 3; i++)
            {
                var r = new Avro.Generic.GenericRecord(avro);
                r.Add("id", i);
                r.Add("name", i == 2 ? null : $"n{i}");
                writer.Append(r);
            }
        }

        string csv = Path.Combine(_dir, "in.csv");
        File.WriteAllText(csv, "id,name\n1,\"Smith, J\"\n2,\n");
        string avroDescriptor = $$"""{"Transport": {"Type": "file", "Path": {{System.Text.Json.JsonSerializer.Serialize(ocf)}}}, "Envelope": "ocf-block", "Encoding": "avro-binary", "Schema": {{schema}}}""";
        string csvDescriptor = $$"""{"Transport": {"Type": "file", "Path": {{System.Text.Json.JsonSerializer.Serialize(csv)}}}, "Encoding": "csv", "Schema": {{schema}}}""";

        var (avroExit, avroOut, avroErr, _) = await CliRunner.RunAsync("stream", "sample", avroDescriptor, "-n", "2");
        var (csvExit, csvOut, csvErr, _) = await CliRunner.RunAsync("stream", "sample", csvDescriptor, "-n", "5");
        Assert.Multiple(() =>
        {
            Assert.That(avroExit, Is.EqualTo(0), avroErr);
            Assert.That(avroOut.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { """   1: {"id":1,"name":"n1"}""", """   2: {"id":2,"name":null}""" }));
            Assert.That(csvExit, Is.EqualTo(0), csvErr);
            Assert.That(csvOut.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { """   1: {"id":1,"name":"Smith, J"}""", """   2: {"id":2,"name":null}""" }));
        });
    }

    /// <summary>Issue 12, point 10: any stream that produces nothing (here stdin, open and silent) is waited for out loud, then given up.</summary>
    [Test]
    [Category("Integration")]
    public async Task Sample_of_a_stream_that_produces_nothing_says_it_is_waiting_and_gives_up_after_the_timeout_with_exit_code_3()
    {
        await using var cli = FastScoreCliProcess.Start(["stream", "sample", "console:", "--timeout", "2"]);
        bool exited = await cli.WaitForExitAsync(TimeSpan.FromMinutes(1));

        Assert.That(exited, Is.True, cli.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(cli.ExitCode, Is.EqualTo(3));
            Assert.That(cli.Stdout, Is.Empty);
            Assert.That(cli.Stderr, Does.Contain("waiting for records from console (stdin); giving up after 2 s (--timeout)"));
            Assert.That(cli.Stderr, Does.Contain("no record arrived from console (stdin) within 2 s (--timeout); gave up."));
        });
    }

    [Test]
    [Category("Integration")]
    public async Task Sample_prints_what_arrived_before_the_timeout_and_succeeds()
    {
        await using var cli = FastScoreCliProcess.Start(["stream", "sample", "console:", "-n", "5", "--timeout", "3"]);
        await cli.StandardInput.WriteLineAsync("""{"a":1}""");
        await cli.StandardInput.WriteLineAsync("""{"a":2}""");
        await cli.StandardInput.FlushAsync(); // stdin stays open: only two of five records ever arrive
        bool exited = await cli.WaitForExitAsync(TimeSpan.FromMinutes(1));

        Assert.That(exited, Is.True, cli.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(cli.ExitCode, Is.Zero, cli.Stderr);
            Assert.That(cli.Stdout.Split(Environment.NewLine), Is.EqualTo(new[] { """   1: {"a":1}""", """   2: {"a":2}""" }));
            Assert.That(cli.Stderr, Does.Contain("only 2 of 5 records arrived from console (stdin) within 3 s (--timeout)."));
        });
    }

    /// <summary>The "waiting" line comes only after a real wait: records that arrive a second or so late are printed without it.</summary>
    [Test]
    [Category("Integration")]
    public async Task Sample_of_records_that_arrive_a_second_late_prints_them_without_a_waiting_line()
    {
        await using var cli = FastScoreCliProcess.Start(["stream", "sample", "console:", "-n", "1"]);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // longer than the 1 s after which the line used to appear
        await cli.StandardInput.WriteLineAsync("""{"late":true}""");
        await cli.StandardInput.FlushAsync();
        bool exited = await cli.WaitForExitAsync(TimeSpan.FromMinutes(1));

        Assert.That(exited, Is.True, cli.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(cli.ExitCode, Is.Zero, cli.Stderr);
            Assert.That(cli.Stdout.Split(Environment.NewLine), Is.EqualTo(new[] { """   1: {"late":true}""" }));
            Assert.That(cli.Stderr, Does.Not.Contain("waiting for records"));
        });
    }

    [TestCase(10, 5)]
    [TestCase(3, 1.5)]
    [TestCase(2, 1)]
    [TestCase(60, 5)]
    public void The_waiting_line_comes_after_half_the_timeout_at_most_five_seconds(double timeoutSeconds, double expectedSeconds) =>
        Assert.That(FastScore.Cli.Commands.StreamSampleCommand.WaitingNoticeAfter(TimeSpan.FromSeconds(timeoutSeconds)), Is.EqualTo(TimeSpan.FromSeconds(expectedSeconds)));

    [Test]
    public void Without_a_time_limit_the_waiting_line_comes_after_five_seconds() =>
        Assert.That(FastScore.Cli.Commands.StreamSampleCommand.WaitingNoticeAfter(Timeout.InfiniteTimeSpan), Is.EqualTo(TimeSpan.FromSeconds(5)));

    [Test]
    public async Task Sample_refuses_a_negative_timeout()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("stream", "sample", "file:" + CliRunner.IrisInputs, "--timeout", "-1");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(err, Does.Contain("--timeout must be a number of seconds"));
        });
    }

    [Test]
    public async Task Sample_defaults_to_ten_records()
    {
        var (exit, stdout, _, _) = await CliRunner.RunAsync("stream", "sample", "file:" + CliRunner.IrisInputs);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0));
            Assert.That(stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(10));
        });
    }

    [Test]
    public async Task Sample_with_an_avro_schema_prints_rejected_records_with_their_reason()
    {
        string data = Path.Combine(_dir, "iris.jsons");
        string[] lines = [.. File.ReadLines(CliRunner.IrisInputs).Take(4)];
        lines[1] = """{"sepal_length": 4.6, "sepal_width": 3.1, "petal_length": 1.5, "petal_width": "abc"}""";
        lines[2] = """{"sepal_length": 4.6, "sepal_width": 3.1, "petal_length": 1.5""";
        await File.WriteAllLinesAsync(data, lines);
        string schema = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "samples", "FastScore.Samples.Iris", "data", "xgboost_iris_input.avsc"));
        string descriptor = Path.Combine(_dir, "iris.json");
        await File.WriteAllTextAsync(descriptor, $$"""{"Transport": {"Type": "file", "Path": "{{data}}"}, "Encoding": "json", "Schema": {{schema}}}""");

        var (exit, stdout, err, _) = await CliRunner.RunAsync("stream", "sample", descriptor, "-n", "4");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(stdout, Does.Contain($"   1: {lines[0]}"));
            Assert.That(stdout, Does.Contain("   2: REJECTED by schema: $.petal_width: expected float, got \"abc\""));
            Assert.That(stdout, Does.Contain("   3: REJECTED by encoding:"));
            Assert.That(stdout, Does.Contain($"   4: {lines[3]}"));
        });
    }

    [Test]
    public void Binary_records_print_as_a_hex_dump_of_16_bytes_a_line()
    {
        string rendered = FastScore.Cli.Commands.StreamSampleCommand.Render(Enumerable.Range(0, 20).Select(i => (byte)i).ToArray(), null);
        string[] lines = rendered.Split(Environment.NewLine);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Length.EqualTo(2));
            Assert.That(lines[0], Does.StartWith("0000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"));
            Assert.That(lines[1].Trim(), Does.StartWith("0010  10 11 12 13"));
        });
    }

    [Test]
    public async Task An_invalid_descriptor_exits_1_naming_the_field()
    {
        string descriptor = Path.Combine(_dir, "bad.json");
        await File.WriteAllTextAsync(descriptor, """{"Transport": {"Type": "file"}, "Encoding": "json"}""");
        var (exit, _, err, _) = await CliRunner.RunAsync("stream", "sample", descriptor);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(err, Does.Contain("Transport.Path"));
        });
    }
}
