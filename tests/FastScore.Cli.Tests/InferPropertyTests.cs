using CsCheck;

namespace FastScore.Cli.Tests;

/// <summary>
/// Bad input never breaks <c>schema infer</c> and <c>fastscore test</c>: any bytes give either a valid Avro schema that
/// the records satisfy, or a one-line reason (exit code 1 or 2), never an unexpected exception (<c>error: ...</c>).
/// </summary>
public sealed class InferPropertyTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-infer-prop-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Csv_inference_gives_a_valid_schema_or_names_the_problem_for_any_text()
    {
        string file = Path.Combine(_dir, "any.csv");
        int inferred = 0;
        Gen.String[Gen.Char["ab1-.,;\"\r\n é0e+truefals"], 0, 80].Sample(text =>
        {
            File.WriteAllText(file, text);
            var (exit, stdout, err, _) = CliRunner.RunAsync("schema", "infer", file).GetAwaiter().GetResult();
            Assert.That(exit, Is.EqualTo(0).Or.EqualTo(1), err);
            Assert.That(err, Does.Not.StartWith("error:"), "an unexpected exception");
            if (exit == 0)
            {
                inferred++;
                Assert.That(Avro.Schema.Parse(stdout), Is.Not.Null);
            }
            else
            {
                Assert.That(err.TrimEnd('\n'), Does.StartWith(file + ": ").And.Not.Contain('\n'));
            }
        }, seed: "0N0XIzNsQ0O2", iter: 400);
        Assert.That(inferred, Is.GreaterThan(0), "the generator also makes valid CSV");
    }

    [Test]
    public void A_test_file_of_any_json_runs_or_is_refused_with_paths_never_thrown()
    {
        string file = Path.Combine(_dir, "any.test.json");
        Gen<string> value = Gen.OneOf(Gen.Const("1"), Gen.Const("\"iris\""), Gen.Const("\"echo\""), Gen.Const("null"), Gen.Const("[]"), Gen.Const("{}"),
            Gen.Const("[{\"a\": 1}]"), Gen.Const("[{\"$raw\": \"{x\"}]"), Gen.Const("{\"0\": [1]}"), Gen.Const("[{\"record\": 1}]"), Gen.Const("-1"));
        Gen<string> key = Gen.OneOf(Gen.Const("model"), Gen.Const("tests"), Gen.Const("input"), Gen.Const("output"), Gen.Const("inputs"),
            Gen.Const("rejected"), Gen.Const("streams"), Gen.Const("tolerance"), Gen.Const("name"));
        Gen<string> member = Gen.Select(key, value, (k, v) => $"\"{k}\": {v}");
        Gen<string> testCase = member.Array[0, 4].Select(m => "{" + string.Join(", ", m) + "}");
        Gen<string> document = Gen.Select(member.Array[0, 3], testCase.Array[0, 3],
            (top, cases) => "{" + string.Join(", ", top.Append("\"tests\": [" + string.Join(", ", cases) + "]")) + "}");
        document.Sample(text =>
        {
            File.WriteAllText(file, text);
            var (exit, _, err, _) = CliRunner.RunAsync("test", file).GetAwaiter().GetResult();
            Assert.That(exit, Is.InRange(0, 2), err);
            Assert.That(err, Does.Not.StartWith("error:"), "an unexpected exception for " + text);
        }, seed: "0N0XIzNsQ0O3", iter: 300);
    }
}
