using System.Buffers;
using System.Text;

namespace FastScore.Streams.Benchmarks;

/// <summary>The 25 iris records and the input schema of the FastScore xgboost_iris example.</summary>
public static class IrisData
{
    public const string InputSchema = """
        {
            "type":"record",
            "name":"xgboost_input",
            "fields":[
                {"name":"petal_length", "type":"float"},
                {"name":"petal_width", "type":"float"},
                {"name":"sepal_length", "type":"float"},
                {"name":"sepal_width", "type":"float"}
            ]

        }
        """;

    public static readonly string[] Lines =
    [
        """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""",
        """{"sepal_length": 4.6, "sepal_width": 3.1, "petal_length": 1.5, "petal_width": 0.2}""",
        """{"sepal_length": 5.7, "sepal_width": 2.6, "petal_length": 3.5, "petal_width": 1.0}""",
        """{"sepal_length": 6.0, "sepal_width": 3.4, "petal_length": 4.5, "petal_width": 1.6}""",
        """{"sepal_length": 6.4, "sepal_width": 2.8, "petal_length": 5.6, "petal_width": 2.1}""",
        """{"sepal_length": 5.6, "sepal_width": 2.8, "petal_length": 4.9, "petal_width": 2.0}""",
        """{"sepal_length": 6.2, "sepal_width": 2.9, "petal_length": 4.3, "petal_width": 1.3}""",
        """{"sepal_length": 5.7, "sepal_width": 2.9, "petal_length": 4.2, "petal_width": 1.3}""",
        """{"sepal_length": 6.3, "sepal_width": 2.7, "petal_length": 4.9, "petal_width": 1.8}""",
        """{"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 4.7, "petal_width": 1.6}""",
        """{"sepal_length": 6.8, "sepal_width": 2.8, "petal_length": 4.8, "petal_width": 1.4}""",
        """{"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 4.2, "petal_width": 1.5}""",
        """{"sepal_length": 6.5, "sepal_width": 3.0, "petal_length": 5.8, "petal_width": 2.2}""",
        """{"sepal_length": 5.2, "sepal_width": 2.7, "petal_length": 3.9, "petal_width": 1.4}""",
        """{"sepal_length": 7.3, "sepal_width": 2.9, "petal_length": 6.3, "petal_width": 1.8}""",
        """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.1, "petal_width": 2.3}""",
        """{"sepal_length": 5.1, "sepal_width": 3.3, "petal_length": 1.7, "petal_width": 0.5}""",
        """{"sepal_length": 7.6, "sepal_width": 3.0, "petal_length": 6.6, "petal_width": 2.1}""",
        """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 4.9, "petal_width": 1.5}""",
        """{"sepal_length": 7.9, "sepal_width": 3.8, "petal_length": 6.4, "petal_width": 2.0}""",
        """{"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.0, "petal_width": 1.7}""",
        """{"sepal_length": 6.0, "sepal_width": 2.2, "petal_length": 4.0, "petal_width": 1.0}""",
        """{"sepal_length": 5.5, "sepal_width": 2.4, "petal_length": 3.7, "petal_width": 1.0}""",
        """{"sepal_length": 4.4, "sepal_width": 3.2, "petal_length": 1.3, "petal_width": 0.2}""",
        """{"sepal_length": 5.0, "sepal_width": 3.3, "petal_length": 1.4, "petal_width": 0.2}""",
    ];

    /// <summary>The records as UTF-8 bytes.</summary>
    public static byte[][] Records() => Lines.Select(Encoding.UTF8.GetBytes).ToArray();

    /// <summary>Newline-delimited JSON: <paramref name="count"/> records, cycling through the 25.</summary>
    public static byte[] NewlineDelimited(int count)
    {
        var output = new ArrayBufferWriter<byte>();
        for (int i = 0; i < count; i++)
        {
            output.Write(Encoding.UTF8.GetBytes(Lines[i % Lines.Length]));
            output.Write("\n"u8);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Splits bytes into <paramref name="segments"/> separately allocated segments of nearly equal length.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, int segments)
    {
        if (segments == 1)
        {
            return new ReadOnlySequence<byte>(data);
        }

        Segment? first = null;
        Segment? last = null;
        for (int i = 0; i < segments; i++)
        {
            int start = (int)((long)data.Length * i / segments);
            int end = (int)((long)data.Length * (i + 1) / segments);
            var memory = new ReadOnlyMemory<byte>(data[start..end]);
            if (last is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                last = last.Append(memory);
            }
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
