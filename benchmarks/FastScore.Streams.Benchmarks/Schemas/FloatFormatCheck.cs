using System.Buffers.Text;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Benchmarks.Schemas;

/// <summary>
/// <c>check-floats</c>: compares the json codec's float formatting with <see cref="Utf8Formatter"/> (what
/// JsonSerializer writes) on every float from 9e-5 to 1.1e7, both signs (618 M values, about 30 s on two cores).
/// </summary>
public static class FloatFormatCheck
{
    /// <summary>Runs the comparison; returns the number of floats written differently.</summary>
    /// <returns>The number of differences.</returns>
    public static long Run()
    {
        int low = BitConverter.SingleToInt32Bits(9e-5f), high = BitConverter.SingleToInt32Bits(1.1e7f);
        long differ = 0, total = 0;
        var gate = new object();
        Parallel.For(0, Environment.ProcessorCount, part =>
        {
            Span<byte> fast = stackalloc byte[64];
            Span<byte> reference = stackalloc byte[64];
            long localDiffer = 0, localTotal = 0;
            for (int bits = low + part; bits < high; bits += Environment.ProcessorCount)
            {
                foreach (float value in (ReadOnlySpan<float>)[BitConverter.Int32BitsToSingle(bits), -BitConverter.Int32BitsToSingle(bits)])
                {
                    int pos = 0;
                    JsonNumbers.TryFormatSingle(value, fast, ref pos);
                    Utf8Formatter.TryFormat(value, reference, out int length);
                    localTotal++;
                    if (!fast[..pos].SequenceEqual(reference[..length]) && ++localDiffer <= 5)
                    {
                        lock (gate)
                        {
                            Console.WriteLine($"{value:R}: {System.Text.Encoding.ASCII.GetString(fast[..pos])} instead of {System.Text.Encoding.ASCII.GetString(reference[..length])}");
                        }
                    }
                }
            }

            lock (gate)
            {
                differ += localDiffer;
                total += localTotal;
            }
        });
        Console.WriteLine($"{total:N0} floats compared, {differ:N0} written differently");
        return differ;
    }
}
