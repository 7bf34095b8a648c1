using System.Text.Json;

namespace FastScore.Samples.Iris.Tests;

public sealed class IrisSchemaAndJsonTests
{
    [Test]
    public void The_guides_JSON_line_reads_into_IrisInput()
    {
        var input = JsonSerializer.Deserialize<IrisInput>(
            """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""");

        Assert.That(input, Is.EqualTo(new IrisInput { SepalLength = 6.9f, SepalWidth = 3.1f, PetalLength = 5.4f, PetalWidth = 2.1f }));
    }

    [Test]
    public void IrisInput_writes_the_guides_snake_case_names_and_reads_back_equal()
    {
        var input = new IrisInput { SepalLength = 6.9f, SepalWidth = 3.1f, PetalLength = 5.4f, PetalWidth = 2.1f };

        var json = JsonSerializer.Serialize(input);

        Assert.Multiple(() =>
        {
            Assert.That(json, Is.EqualTo("""{"sepal_length":6.9,"sepal_width":3.1,"petal_length":5.4,"petal_width":2.1}"""));
            Assert.That(JsonSerializer.Deserialize<IrisInput>(json), Is.EqualTo(input));
        });
    }

    [Test]
    public void IrisOutput_writes_exactly_the_fields_A_B_C_and_reads_back_equal()
    {
        var output = new IrisOutput { A = 0.0033f, B = 0.0043f, C = 0.9924f };

        var json = JsonSerializer.Serialize(output);
        using var doc = JsonDocument.Parse(json);

        Assert.Multiple(() =>
        {
            Assert.That(json, Is.EqualTo("""{"A":0.0033,"B":0.0043,"C":0.9924}"""));
            Assert.That(doc.RootElement.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "A", "B", "C" }));
            Assert.That(JsonSerializer.Deserialize<IrisOutput>(json), Is.EqualTo(output));
        });
    }

    [Test]
    public void The_guides_XGBoost_output_reads_into_IrisOutput()
    {
        var output = JsonSerializer.Deserialize<IrisOutput>(IrisSampleData.ReadAllText(IrisSampleData.GuideSingleOutput))!;

        Assert.Multiple(() =>
        {
            Assert.That(output.A, Is.EqualTo(0.0033f).Within(1e-4f));
            Assert.That(output.B, Is.EqualTo(0.0043f).Within(1e-4f));
            Assert.That(output.C, Is.EqualTo(0.9924f).Within(1e-4f));
        });
    }

    [Test]
    public void The_input_schema_is_the_guides_record_of_four_floats()
    {
        using var schema = JsonDocument.Parse(IrisModel.InputSchema);
        var fields = schema.RootElement.GetProperty("fields").EnumerateArray()
            .Select(f => (f.GetProperty("name").GetString(), f.GetProperty("type").GetString())).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(schema.RootElement.GetProperty("type").GetString(), Is.EqualTo("record"));
            Assert.That(schema.RootElement.GetProperty("name").GetString(), Is.EqualTo("xgboost_input"));
            Assert.That(fields, Is.EquivalentTo(new[]
            {
                ("sepal_length", "float"), ("sepal_width", "float"), ("petal_length", "float"), ("petal_width", "float"),
            }));
        });
    }

    [Test]
    public void The_output_schema_is_the_guides_record_of_A_B_C_floats()
    {
        using var schema = JsonDocument.Parse(IrisModel.OutputSchema);
        var fields = schema.RootElement.GetProperty("fields").EnumerateArray()
            .Select(f => (f.GetProperty("name").GetString(), f.GetProperty("type").GetString())).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(schema.RootElement.GetProperty("name").GetString(), Is.EqualTo("xgboost_output"));
            Assert.That(fields, Is.EqualTo(new[] { ("A", "float"), ("B", "float"), ("C", "float") }));
        });
    }

    [Test]
    public void The_JSON_names_of_IrisInput_and_IrisOutput_are_the_schema_field_names()
    {
        static IEnumerable<string?> SchemaNames(string schema) =>
            JsonDocument.Parse(schema).RootElement.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        static IEnumerable<string> JsonNames<T>(T value) =>
            JsonDocument.Parse(JsonSerializer.Serialize(value)).RootElement.EnumerateObject().Select(p => p.Name).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(JsonNames(new IrisInput()), Is.EquivalentTo(SchemaNames(IrisModel.InputSchema)));
            Assert.That(JsonNames(new IrisOutput()), Is.EquivalentTo(SchemaNames(IrisModel.OutputSchema)));
        });
    }

    [Test]
    public void Every_sample_file_is_embedded_and_copied_next_to_the_assembly()
    {
        Assert.Multiple(() =>
        {
            foreach (var name in IrisSampleData.FileNames)
            {
                var path = Path.Combine(IrisSampleData.DataDirectory, name);
                Assert.That(path, Does.Exist);
                Assert.That(IrisSampleData.ReadAllText(name), Is.EqualTo(File.ReadAllText(path)), name);
            }
        });
    }

    [Test]
    public void The_training_set_has_50_flowers_of_each_species_and_the_guide_has_25_inputs()
    {
        var counts = GuideData.TrainingSet.GroupBy(r => r.Species).ToDictionary(g => g.Key, g => g.Count());

        Assert.Multiple(() =>
        {
            Assert.That(counts, Is.EquivalentTo(IrisSpecies.InClassOrder.ToDictionary(s => s, _ => 50)));
            Assert.That(GuideData.Inputs, Has.Count.EqualTo(25));
        });
    }

    [Test]
    public void An_unknown_file_name_is_reported_with_the_known_names()
    {
        Assert.That(() => IrisSampleData.Open("nope.csv"),
            Throws.TypeOf<FileNotFoundException>().With.Message.Contains("iris.csv"));
    }

    [Test]
    public void Species_map_to_A_B_C_in_order()
    {
        Assert.Multiple(() =>
        {
            Assert.That(IrisSpecies.InClassOrder.Select(IrisSpecies.ToClass), Is.EqualTo(new[] { "A", "B", "C" }));
            Assert.That(new[] { "A", "B", "C" }.Select(IrisSpecies.FromClass), Is.EqualTo(IrisSpecies.InClassOrder));
        });
    }
}
