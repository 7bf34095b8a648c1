using System.Text;
using CsCheck;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>Generated csv input for the property tests: valid rows of the fuzz schema, mutated, and random bytes.</summary>
internal static class CsvGen
{
    private static readonly string[] s_fields = ["0", "-7", "2147483648", "1.5", "-2.5e3", "NaN", "1e400", "true", "FALSE", "maybe", "A", "B", "C", "", "\"\"", "\"a,b\"", "\"x\"\"y\"", "\"l\r\nm\"", "é☮", "x\"y", "\"open", " 5 "];
    private static readonly string[] s_delimiters = [",", ";;", "\t", "☮"];

    private static readonly byte[][] s_tokens = [.. new[] { ",", ";;", "\t", "☮", "\"", "'", "|", "\r\n", "\n", "\r", "<|>", "\"\"", "''", "1", "true", "A" }.Select(Encoding.UTF8.GetBytes),
        [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x98], [0x00]];

    private static readonly Gen<JsonGen.Mutation> s_mutation = Gen.Select(Gen.Int[0, 7], Gen.Int[0, 1000], Gen.Int[0, 1000], (k, w, c) => new JsonGen.Mutation(k, w, c));

    private static Gen<string> Row(int format) => Gen.Int[0, s_fields.Length - 1].Array[1, 10]
        .Select(picks => string.Join(s_delimiters[format], picks.Select(p => format == 3 ? s_fields[p].Replace('"', '|') : format == 1 ? s_fields[p].Replace('"', '\'') : s_fields[p])));

    /// <summary>One row (first byte: the format), often valid, mutated.</summary>
    public static Gen<byte[]> Rows { get; } = Gen.Frequency(
        (5, Gen.Int[0, 3].SelectMany(f => Gen.Select(Row(f), s_mutation.Array[0, 3], (row, m) => (byte[])[(byte)f, .. JsonGen.Apply(Encoding.UTF8.GetBytes(row), m, s_tokens)]))),
        (2, Gen.Int[0, 3].Select(f => (byte[])[(byte)f, .. Encoding.UTF8.GetBytes(string.Join(s_delimiters[f], "1", "", "0.5", "", "true", "s", "A", ""))])),
        (1, Gen.Byte.Array[0, 48]));

    /// <summary>A stream for the delimited-csv target (two option bytes, then rows joined by line breaks), mutated.</summary>
    public static Gen<byte[]> Streams { get; } = Gen.Frequency(
        (5, Gen.Select(Gen.Byte, Gen.Byte, Gen.Int[0, 3].SelectMany(f => Row(f).Array[0, 8]), Gen.OneOf(Gen.Const("\r\n"), Gen.Const("\n"), Gen.Const("<|>")), s_mutation.Array[0, 3],
            (a, b, rows, sep, m) => (byte[])[a, b, .. JsonGen.Apply(Encoding.UTF8.GetBytes(string.Join(sep, rows)), m, s_tokens)])),
        (1, Gen.Byte.Array[2, 80]));
}
