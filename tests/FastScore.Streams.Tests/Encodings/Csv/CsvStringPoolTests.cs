using System.Text;
using CsCheck;
using FastScore.Streams.Encodings.Csv;

namespace FastScore.Streams.Tests.Encodings.Csv;

/// <summary>The pool of short field strings: for any bytes it gives the text's string or declines, whatever it kept before.</summary>
public sealed class CsvStringPoolTests
{
    [Test]
    public void Any_text_gives_its_own_string_or_null_when_not_ASCII()
    {
        var pool = new CsvStringPool();
        // Few distinct short texts over a small alphabet: many repeats (hits) and many slot collisions (replacements).
        Gen.OneOf(Gen.String[Gen.Char["ab1 é\u0080"], 0, CsvStringPool.MaxLength / 2], Gen.Byte[0x20, 0x7F].Array[0, CsvStringPool.MaxLength].Select(b => Encoding.Latin1.GetString(b)))
            .Select(s => Encoding.UTF8.GetBytes(s))
            .Where(b => b.Length <= CsvStringPool.MaxLength)
            .Sample(bytes =>
            {
                string? got = pool.TryGet(bytes);
                bool ascii = Array.TrueForAll(bytes, b => b < 0x80);
                Assert.That(got, ascii ? Is.EqualTo(Encoding.ASCII.GetString(bytes)) : Is.Null);
            }, seed: "0N2Yd8gJfPM7", iter: 50000, threads: 1);
    }

    [Test]
    public void A_text_seen_again_gives_the_same_instance()
    {
        var pool = new CsvStringPool();
        string first = pool.TryGet("customer 12"u8)!;
        Assert.That(pool.TryGet("customer 12"u8), Is.SameAs(first));
        Assert.That(pool.TryGet("customer 13"u8), Is.EqualTo("customer 13"));
        Assert.That(pool.TryGet("é"u8), Is.Null);
        Assert.That(pool.TryGet([0xFF]), Is.Null);
        Assert.That(pool.TryGet(""u8), Is.EqualTo(""));
    }
}
