namespace FastScore.Cli.Tests;

/// <summary>The library of named streams, schemas and models: plain files under <c>$FASTSCORE_HOME</c>, resolved by name.</summary>
public sealed class LibraryCommandTests
{
    private string _dir = "";
    private Dictionary<string, string> _env = [];

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("fastscore-library-").FullName;
        _env = new() { ["FASTSCORE_HOME"] = Path.Combine(_dir, "home") };
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private Task<(int Exit, string Out, string Err, string Console)> Cli(params string[] args) => CliRunner.RunInAsync(_env, null, CancellationToken.None, args);

    private Task<(int Exit, string Out, string Err, string Console)> CliWithInput(string stdin, params string[] args) => CliRunner.RunInAsync(_env, stdin, CancellationToken.None, args);

    [Test]
    public async Task A_stream_is_added_listed_shown_with_secrets_masked_and_removed_as_a_plain_file()
    {
        string descriptor = """{"Transport": {"Type": "S3", "Bucket": "scores", "ObjectKey": "k.jsons", "AccessKeyID": "AKIAEXAMPLE", "SecretAccessKey": "s3cr3t-value"}, "Encoding": "json"}""";

        var add = await CliWithInput(descriptor, "stream", "add", "s3-in");
        var list = await Cli("stream", "list");
        var show = await Cli("stream", "show", "s3-in");
        string stored = await File.ReadAllTextAsync(Path.Combine(_dir, "home", "streams", "s3-in.json"));
        var remove = await Cli("stream", "remove", "s3-in");
        var listAfter = await Cli("stream", "list");
        var showAfter = await Cli("stream", "show", "s3-in");

        Assert.Multiple(() =>
        {
            Assert.That(add.Exit, Is.EqualTo(0), add.Err);
            Assert.That(stored.Trim(), Is.EqualTo(descriptor), "stored as given, so it can live in git");
            Assert.That(list.Out, Is.EqualTo("s3-in\n"));
            Assert.That(show.Exit, Is.EqualTo(0), show.Err);
            Assert.That(show.Out, Does.Contain("\"Bucket\": \"scores\"").And.Not.Contain("s3cr3t-value").And.Not.Contain("AKIAEXAMPLE"));
            Assert.That(remove.Exit, Is.EqualTo(0));
            Assert.That(listAfter.Out, Is.Empty);
            Assert.That(showAfter.Exit, Is.EqualTo(1));
            Assert.That(showAfter.Err, Does.StartWith("No stream named 's3-in' in the library"));
        });
    }

    [Test]
    public async Task Adding_refuses_an_invalid_descriptor_and_never_replaces_an_entry_without_force()
    {
        string file = Path.Combine(_dir, "in.json");
        await File.WriteAllTextAsync(file, """{"Transport": {"Type": "file", "Path": "/tmp/a.jsons"}}""");

        var invalid = await Cli("stream", "add", "bad", """{"Transport": {"Type": "file"}}""");
        var first = await Cli("stream", "add", "in", file);
        var second = await Cli("stream", "add", "in", "discard:");
        string kept = await File.ReadAllTextAsync(Path.Combine(_dir, "home", "streams", "in.json"));
        var forced = await Cli("stream", "add", "in", "discard:", "--force");
        string replaced = await File.ReadAllTextAsync(Path.Combine(_dir, "home", "streams", "in.json"));
        var badName = await Cli("stream", "add", "../escape", "discard:");

        Assert.Multiple(() =>
        {
            Assert.That(invalid.Exit, Is.EqualTo(1));
            Assert.That(invalid.Err, Does.Contain("invalid stream descriptor, not added").And.Contain("Transport.Path"));
            Assert.That(File.Exists(Path.Combine(_dir, "home", "streams", "bad.json")), Is.False);
            Assert.That(first.Exit, Is.EqualTo(0), first.Err);
            Assert.That(second.Exit, Is.EqualTo(1));
            Assert.That(second.Err, Does.Contain("A stream named 'in' already exists").And.Contain("--force"));
            Assert.That(kept, Does.Contain("/tmp/a.jsons"));
            Assert.That(forced.Exit, Is.EqualTo(0), forced.Err);
            Assert.That(replaced, Does.Contain("discard"));
            Assert.That(badName.Exit, Is.EqualTo(2));
            Assert.That(badName.Err, Does.Contain("is not a valid name"));
        });
    }

    [Test]
    public async Task Names_resolve_in_run_verify_and_sample_with_ref_schemas_from_the_library()
    {
        string output = Path.Combine(_dir, "scores.jsons");
        string schema = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "fastscore-examples", "schemas", "xgboost_iris_input.avsc"));
        var schemaAdd = await Cli("schema", "add", "xgboost_iris_input", schema);
        var badSchema = await Cli("schema", "add", "nope", """{"type": "recrod"}""");
        var inAdd = await Cli("stream", "add", "iris-in", $$$"""{"Transport": {"Type": "file", "Path": "{{{CliRunner.IrisInputs}}}"}, "Encoding": "json", "Schema": {"$ref": "xgboost_iris_input"}}""");
        var outAdd = await Cli("stream", "add", "iris-out", "file:" + output);
        var schemas = await Cli("schema", "list");

        var verify = await Cli("stream", "verify", "iris-in", "0");
        var sample = await Cli("stream", "sample", "iris-in", "-n", "1");
        var run = await Cli("run", "iris", "iris-in", "iris-out", "-q");

        Assert.Multiple(() =>
        {
            Assert.That(schemaAdd.Exit, Is.EqualTo(0), schemaAdd.Err);
            Assert.That(badSchema.Exit, Is.EqualTo(1));
            Assert.That(badSchema.Err, Does.StartWith("invalid Avro schema, not added: "));
            Assert.That(inAdd.Exit, Is.EqualTo(0), inAdd.Err);
            Assert.That(inAdd.Err, Is.Empty, "the schema is in the library: no warning");
            Assert.That(outAdd.Exit, Is.EqualTo(0), outAdd.Err);
            Assert.That(schemas.Out, Is.EqualTo("xgboost_iris_input\n"));
            Assert.That(verify.Exit, Is.EqualTo(0), verify.Err);
            Assert.That(verify.Out, Does.Contain("The stream descriptor contains no errors"));
            Assert.That(sample.Exit, Is.EqualTo(0), sample.Err);
            Assert.That(sample.Out, Does.StartWith("   1: {\"sepal_length\": 6.9"));
            Assert.That(run.Exit, Is.EqualTo(0), run.Err);
            Assert.That(File.ReadAllLines(output), Has.Length.EqualTo(25));
        });
    }

    [Test]
    public async Task A_stream_whose_schema_is_missing_is_added_with_a_warning_and_fails_by_name_when_run()
    {
        var add = await Cli("stream", "add", "typed", """{"Transport": {"Type": "discard"}, "Encoding": "json", "Schema": {"$ref": "missing"}}""");
        var verify = await Cli("stream", "verify", "typed", "1");

        Assert.Multiple(() =>
        {
            Assert.That(add.Exit, Is.EqualTo(0), add.Err);
            Assert.That(add.Err, Does.Contain("Warning: its schema {\"$ref\": \"missing\"} is not in the library yet"));
            Assert.That(verify.Exit, Is.EqualTo(1));
            Assert.That(verify.Err, Does.Contain("no schema named 'missing'"));
        });
    }

    [Test]
    public async Task A_model_is_added_by_assembly_and_type_listed_with_the_built_ins_and_run_by_name()
    {
        string assembly = Path.Combine(AppContext.BaseDirectory, "FastScore.Samples.Iris.dll");
        string output = Path.Combine(_dir, "scores.jsons");

        var add = await Cli("model", "add", "my-iris", "--assembly", assembly, "--type", "FastScore.Samples.Iris.IrisModel");
        var again = await Cli("model", "add", "my-iris", "--assembly", assembly, "--type", "FastScore.Samples.Iris.IrisModel");
        var wrongType = await Cli("model", "add", "other", "--assembly", assembly, "--type", "NoSuchModel");
        var builtIn = await Cli("model", "add", "iris", "--assembly", assembly, "--type", "FastScore.Samples.Iris.IrisModel");
        var list = await Cli("model", "list");
        var show = await Cli("model", "show", "my-iris");
        var run = await Cli("run", "my-iris", "file:" + CliRunner.IrisInputs, "file:" + output, "-q");
        var unknown = await Cli("run", "nobody", "discard:", "discard:");

        Assert.Multiple(() =>
        {
            Assert.That(add.Exit, Is.EqualTo(0), add.Err);
            Assert.That(again.Exit, Is.EqualTo(1));
            Assert.That(again.Err, Does.Contain("already exists"));
            Assert.That(wrongType.Exit, Is.EqualTo(1));
            Assert.That(wrongType.Err, Does.Contain("No model type 'NoSuchModel'"));
            Assert.That(builtIn.Exit, Is.EqualTo(2));
            Assert.That(list.Out, Is.EqualTo("echo\t(built in)\niris\t(built in)\nmy-iris\n"));
            Assert.That(show.Out, Does.Contain("\"Type\": \"FastScore.Samples.Iris.IrisModel\"").And.Contain("FastScore.Samples.Iris.dll"));
            Assert.That(show.Out, Does.Not.Contain(_dir), "the assembly path is stored relative to the library folder");
            Assert.That(run.Exit, Is.EqualTo(0), run.Err);
            Assert.That(File.ReadAllLines(output), Has.Length.EqualTo(25));
            Assert.That(unknown.Exit, Is.EqualTo(2));
            Assert.That(unknown.Err, Does.Contain("Unknown model 'nobody'").And.Contain("in the library: my-iris"));
        });
    }
}
