using System.Text.Json;
using System.Text.Json.Serialization;
using FastScore.Cli.ProcessBench;
using FastScore.Streams.Engine;

// The baseline of benchmarks/cli-process.sh: what a user writes by hand to turn a file of iris records into the same
// records, file to file (no schema check), as a whole process.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: FastScore.Cli.ProcessBench <input.jsons> <output.jsons>");
    return 2;
}

long n = 0;
using (var reader = new StreamReader(args[0]))
using (var writer = new StreamWriter(args[1]))
{
    while (reader.ReadLine() is { } line)
    {
        IrisRecord record = JsonSerializer.Deserialize<IrisRecord>(line)!;
        writer.WriteLine(JsonSerializer.Serialize(record));
        n++;
    }
}

Console.Error.WriteLine($"{n} records");
return 0;

namespace FastScore.Cli.ProcessBench
{
    /// <summary>An iris input record as a host would declare it.</summary>
    public sealed class IrisRecord
    {
        /// <summary>Gets or sets the sepal length.</summary>
        [JsonPropertyName("sepal_length")]
        public float SepalLength { get; set; }

        /// <summary>Gets or sets the sepal width.</summary>
        [JsonPropertyName("sepal_width")]
        public float SepalWidth { get; set; }

        /// <summary>Gets or sets the petal length.</summary>
        [JsonPropertyName("petal_length")]
        public float PetalLength { get; set; }

        /// <summary>Gets or sets the petal width.</summary>
        [JsonPropertyName("petal_width")]
        public float PetalWidth { get; set; }
    }

    /// <summary>The typed identity model: decodes each record to <see cref="IrisRecord"/> and writes it back.</summary>
    public sealed class IrisIdentity : IModel<IrisRecord, IrisRecord>
    {
        /// <inheritdoc />
        public ValueTask ActionAsync(IrisRecord input, RecordContext context, IModelOutput<IrisRecord> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }
}
