using System.Text;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Schemas;

public sealed class IrisSchemaTests
{
    private static string Fixture(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "iris", name);

    private static JsonAvroSchemaChecker Checker(string schemaFile) =>
        new(Avro.Schema.Parse(File.ReadAllText(Fixture(schemaFile))));

    [Test]
    public void All_25_iris_inputs_match_the_input_schema()
    {
        JsonAvroSchemaChecker checker = Checker("xgboost_iris_input.avsc");
        string[] lines = File.ReadAllLines(Fixture("xgboost_iris_inputs.jsons")).Where(l => l.Length > 0).ToArray();
        Assert.That(lines, Has.Length.EqualTo(25));
        Assert.Multiple(() =>
        {
            foreach (string line in lines)
            {
                Assert.That(checker.TryCheck(Encoding.UTF8.GetBytes(line), out RecordRejection rejection), Is.True, $"{line}: {rejection.Reason}");
            }
        });
    }

    [Test]
    public void A_broken_iris_record_is_rejected_with_its_path()
    {
        byte[] record = """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": "abc"}"""u8.ToArray();
        bool ok = Checker("xgboost_iris_input.avsc").TryCheck(record, out RecordRejection rejection);
        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection, Is.EqualTo(new RecordRejection(RejectionKind.Schema, "$.petal_width: expected float, got \"abc\"")));
        });
    }

    [Test]
    public void An_iris_record_missing_a_field_is_rejected()
    {
        byte[] record = """{"sepal_length": 6.9, "petal_length": 5.4, "petal_width": 2.1}"""u8.ToArray();
        Checker("xgboost_iris_input.avsc").TryCheck(record, out RecordRejection rejection);
        Assert.That(rejection.Reason, Is.EqualTo("$: missing required field 'sepal_width'"));
    }

    [Test]
    public void An_iris_output_matches_the_output_schema()
    {
        byte[] record = """{"A": 0.0032884993124753237, "B": 0.004323431756347418, "C": 0.992388129234314}"""u8.ToArray();
        Assert.That(Checker("xgboost_iris_output.avsc").TryCheck(record, out _), Is.True);
    }

    [Test]
    public void Checking_a_valid_record_allocates_nothing()
    {
        JsonAvroSchemaChecker checker = Checker("xgboost_iris_input.avsc");
        byte[] record = Encoding.UTF8.GetBytes(File.ReadAllLines(Fixture("xgboost_iris_inputs.jsons"))[0]);
        for (int i = 0; i < 100; i++)
        {
            checker.TryCheck(record, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool all = true;
        for (int i = 0; i < 1000; i++)
        {
            all &= checker.TryCheck(record, out _);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Multiple(() =>
        {
            Assert.That(all, Is.True);
            Assert.That(allocated, Is.Zero);
        });
    }
}
