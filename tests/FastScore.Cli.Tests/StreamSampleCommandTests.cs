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
