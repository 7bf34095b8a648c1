using System.Text.Json.Serialization;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Tests.Encodings;

/// <summary>
/// TryAdd promises that a value the encoding cannot write is counted, reported and left out. Before 0727860 a type the
/// serializer has no contract for (here: two properties with one JSON name) was rejected by encoding; now the lookup of
/// the validating writer runs outside TryAdd's try/catch and the exception escapes.
/// </summary>
public sealed class OutputTypeErrorTests
{
    public sealed class Colliding
    {
        [JsonPropertyName("x")]
        public int A { get; set; }

        [JsonPropertyName("x")]
        public int B { get; set; }
    }

    [TestCase("null")]
    [TestCase("""{"type": "record", "name": "R", "fields": [{"name": "x", "type": "int"}]}""")]
    public async Task A_type_without_a_json_contract_is_rejected_by_encoding_not_thrown(string schema)
    {
        string dir = Directory.CreateTempSubdirectory("fss-review-").FullName;
        try
        {
            string path = Path.Combine(dir, "out.jsons");
            var rejected = new List<RejectedRecord>();
            await using OutputStream output = new StreamFactory().CreateOutput(
                StreamDescriptor.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json", "Schema": {{schema}}}"""),
                new StreamOpenOptions { Name = "out", Slot = 1, OnRejected = rejected.Add });
            bool added = false;
            Assert.DoesNotThrowAsync(async () => added = await output.WriteAsync(new Colliding { A = 1, B = 2 }));
            Assert.Multiple(() =>
            {
                Assert.That(added, Is.False);
                Assert.That(output.Counters.RejectedByEncoding, Is.EqualTo(1));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
