namespace FastScore.Cli.Tests;

/// <summary><c>fastscore test</c>: test files run in-process, PASS / FAIL with a diff, exit codes.</summary>
public sealed class TestCommandTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static string Sample => Path.Combine(CliRunner.RepoRoot, "samples", "FastScore.Samples.Iris", "tests", "iris.test.json");

    [Test]
    public async Task The_sample_test_file_passes_with_its_rejections()
    {
        var (exit, stdout, err, _) = await CliRunner.RunAsync("test", Sample);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), stdout + err);
            Assert.That(stdout, Is.EqualTo(
                "PASS  the guide's single record is class C\n" +
                "PASS  a record that is not JSON and one the schema refuses are rejected; the stream goes on\n" +
                $"{Sample}: 2 passed, 0 failed\n"));
        });
    }

    [Test]
    public async Task A_failing_case_prints_where_outputs_and_rejections_differ_and_exits_1()
    {
        string file = Path.Combine(_dir, "wrong.test.json");
        await File.WriteAllTextAsync(file, """
            {
              "model": "echo",
              "tests": [
                {"name": "same", "input": [{"a": 1}], "output": [{"a": 1}]},
                {
                  "name": "wrong",
                  "input": [{"a": 1, "b": [1, 2]}, {"a": 2}, {"a": 3}],
                  "output": [{"a": 1, "b": [1, 3]}, {"a": 2}],
                  "rejected": [{"record": 2}]
                }
              ]
            }
            """);

        var (exit, stdout, err, _) = await CliRunner.RunAsync("test", file);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), err);
            Assert.That(stdout, Is.EqualTo(
                "PASS  same\n" +
                "FAIL  wrong\n" +
                "      slot 1 output record 1: $.b[1]: expected 3, got 2\n" +
                "        expected: {\"a\":1,\"b\":[1,3]}\n" +
                "        actual:   {\"a\":1,\"b\":[1,2]}\n" +
                "      slot 1 output record 3: unexpected {\"a\":3}\n" +
                "      slot 0 record 2: expected to be rejected, was not\n" +
                $"{file}: 1 passed, 1 failed\n"));
        });
    }

    [Test]
    public async Task An_invalid_test_file_names_each_problem_by_its_path_and_exits_2()
    {
        string file = Path.Combine(_dir, "bad.test.json");
        await File.WriteAllTextAsync(file, """{"model": 3, "tolerance": -1, "tests": [{"output": []}, {"input": [], "rejected": [{"record": 0}]}]}""");
        string notJson = Path.Combine(_dir, "notjson.test.json");
        await File.WriteAllTextAsync(notJson, "{\"model\": ");

        var (exit, stdout, err, _) = await CliRunner.RunAsync("test", file);
        var (notJsonExit, _, notJsonErr, _) = await CliRunner.RunAsync("test", notJson);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stdout, Is.Empty);
            Assert.That(err, Does.Contain($"{file}: $.model: expected a model name"));
            Assert.That(err, Does.Contain($"{file}: $.tolerance: expected a number, 0 or more"));
            Assert.That(err, Does.Contain($"{file}: $.tests[0]: give \"input\""));
            Assert.That(err, Does.Contain($"{file}: $.tests[1].rejected[0]: expected {{\"record\": N"));
            Assert.That(notJsonExit, Is.EqualTo(2));
            Assert.That(notJsonErr, Does.StartWith($"{notJson}: not JSON: "));
        });
    }
}
