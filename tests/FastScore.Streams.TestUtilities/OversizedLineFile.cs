using System.Text;

namespace FastScore.Streams.TestUtilities;

/// <summary>
/// Writes the file of issue 12 point 3: good JSON records (<c>{"n":1}</c>, <c>{"n":2}</c>, …) around one huge line,
/// written in chunks so the test never holds the line in memory.
/// </summary>
public static class OversizedLineFile
{
    /// <summary>Writes <paramref name="before"/> good records, a line of <paramref name="hugeBytes"/> bytes, then <paramref name="after"/> good records.</summary>
    /// <param name="path">The file to create (must not exist).</param>
    /// <param name="before">Good records before the huge line.</param>
    /// <param name="hugeBytes">The huge line's length (at least 16 bytes), newline excluded.</param>
    /// <param name="after">Good records after it.</param>
    /// <returns>The byte offset where the huge line starts.</returns>
    public static long Write(string path, int before, long hugeBytes, int after)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        for (int i = 1; i <= before; i++)
        {
            file.Write(Encoding.UTF8.GetBytes(Record(i) + "\n"));
        }

        long offset = file.Position;
        ReadOnlySpan<byte> head = "{\"pad\":\""u8;
        ReadOnlySpan<byte> tail = "\"}"u8;
        file.Write(head);
        byte[] chunk = new byte[1024 * 1024];
        Array.Fill(chunk, (byte)'x');
        for (long left = hugeBytes - head.Length - tail.Length; left > 0; left -= chunk.Length)
        {
            file.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
        }

        file.Write(tail);
        file.Write("\n"u8);
        for (int i = before + 1; i <= before + after; i++)
        {
            file.Write(Encoding.UTF8.GetBytes(Record(i) + "\n"));
        }

        return offset;
    }

    /// <summary>The good record number <paramref name="n"/> (1-based, counting good records only).</summary>
    /// <param name="n">The number.</param>
    /// <returns>The record's JSON text.</returns>
    public static string Record(int n) => $$"""{"n":{{n}}}""";

    /// <summary>The good records 1 to <paramref name="count"/>, in order.</summary>
    /// <param name="count">How many.</param>
    /// <returns>Their JSON texts.</returns>
    public static string[] Records(int count) => [.. Enumerable.Range(1, count).Select(Record)];
}
