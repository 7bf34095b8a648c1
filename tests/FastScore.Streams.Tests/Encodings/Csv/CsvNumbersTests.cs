using System.Globalization;
using System.Text;
using CsCheck;
using FastScore.Streams.Encodings.Csv;

namespace FastScore.Streams.Tests.Encodings.Csv;

/// <summary>
/// The float fast path (a multiplication by 10^-k in double, checked against float rounding midpoints) gives the correctly
/// rounded float: the same bits as the exact float division and as .NET's invariant <c>float.Parse</c>.
/// </summary>
public sealed class CsvNumbersTests
{
    // Every mantissa of the fast path (0..2^24) with every fraction length (1..10): 168 million values, a few seconds.
    [Test]
    public void The_float_fast_path_equals_the_exact_division_for_every_mantissa_and_fraction_length()
    {
        long checkedValues = 0;
        for (int fraction = 1; fraction <= 10; fraction++)
        {
            int wrong = 0;
            ulong firstWrong = 0;
            for (ulong m = 0; m <= (1UL << 24); m++)
            {
                if (BitConverter.SingleToInt32Bits(CsvNumbers.PlainSingle(m, fraction, false)) != BitConverter.SingleToInt32Bits(Exact(m, fraction)))
                {
                    if (wrong++ == 0)
                    {
                        firstWrong = m;
                    }
                }
            }

            checkedValues += (1L << 24) + 1;
            Assert.That(wrong, Is.Zero, $"fraction {fraction}: {wrong} wrong, the first mantissa {firstWrong}");
        }

        Assert.That(checkedValues, Is.EqualTo(10 * ((1L << 24) + 1)));
    }

    [Test]
    public void The_float_fast_path_agrees_with_float_Parse()
    {
        Gen.Select(Gen.ULong[0, 1UL << 24], Gen.Int[0, 10], Gen.Bool).Sample((m, fraction, negative) =>
        {
            string text = Text(m, fraction, negative);
            int expected = BitConverter.SingleToInt32Bits(float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
            Assert.That(BitConverter.SingleToInt32Bits(CsvNumbers.PlainSingle(m, fraction, negative)), Is.EqualTo(expected), text);
            Assert.That(CsvNumbers.TryParseFloat(Encoding.ASCII.GetBytes(text), out float parsed), Is.True, text);
            Assert.That(BitConverter.SingleToInt32Bits(parsed), Is.EqualTo(expected), text);
            string exponentForm = (negative ? "-" : "") + m.ToString(CultureInfo.InvariantCulture) + "e-" + fraction.ToString(CultureInfo.InvariantCulture);
            Assert.That(CsvNumbers.TryParseFloat(Encoding.ASCII.GetBytes(exponentForm), out float fromExponent), Is.True, exponentForm);
            Assert.That(BitConverter.SingleToInt32Bits(fromExponent), Is.EqualTo(expected), exponentForm);
        }, seed: "0N2Yd8gJfPM7", iter: 200000, threads: 1);
    }

    // Why no check is needed: the double product mantissa × 10^-k is within 2 units of its last bit of the quotient, and
    // for no mantissa and fraction length of the fast path does it lie within 8 units of a float rounding midpoint (the 29
    // bits below the float's last bit near 1000...0), so rounding it to float rounds the quotient correctly.
    [Test]
    public void No_double_product_of_the_fast_path_lies_near_a_float_rounding_midpoint()
    {
        int near = 0;
        for (int fraction = 1; fraction <= 10; fraction++)
        {
            double inverse = double.Parse("1e-" + fraction.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            for (ulong m = 1; m <= (1UL << 24); m++)
            {
                ulong low = BitConverter.DoubleToUInt64Bits(m * inverse) & 0x1FFF_FFFFUL;
                if (low is >= 0x1000_0000UL - 8 and <= 0x1000_0000UL + 8)
                {
                    near++;
                }
            }
        }

        Assert.That(near, Is.Zero);
    }

    private static readonly float[] s_powers = [1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    // The exact float division (mantissa and 10^fraction are exact floats): correctly rounded by IEEE 754.
    private static float Exact(ulong mantissa, int fraction) => (long)mantissa / s_powers[fraction];

    // The plain decimal text of mantissa / 10^fraction: "-0.0123" for (123, 4, true).
    private static string Text(ulong mantissa, int fraction, bool negative)
    {
        string digits = mantissa.ToString(CultureInfo.InvariantCulture).PadLeft(fraction + 1, '0');
        return (negative ? "-" : "") + (fraction == 0 ? digits : digits[..^fraction] + "." + digits[^fraction..]);
    }
}
