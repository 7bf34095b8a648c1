using System.Text;
using FastScore.Streams.Diagnostics;

namespace FastScore.Streams.Tests.Diagnostics;

public sealed class SafeTextTests
{
    [TestCase("https://user:pa55@host:9000/bucket", "https://user:*****@host:9000/bucket")]
    [TestCase("https://u:p@ss@host/x", "https://u:*****@host/x")]
    [TestCase("https://ghp_0123456789@github.com/org/repo.git", "https://*****@github.com/org/repo.git")]
    [TestCase("https://host/object?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=abcdef0123&X-Amz-Security-Token=tok",
        "https://host/object?X-Amz-Algorithm=AWS4&X-Amz-Credential=*****&X-Amz-Signature=*****&X-Amz-Security-Token=*****")]
    [TestCase("https://acct.blob.core.windows.net/c/b?sv=2024-01-01&sig=Zm9vYmFy%3D&se=2030", "https://acct.blob.core.windows.net/c/b?sv=2024-01-01&sig=*****&se=2030")]
    [TestCase("http://h/cb#access_token=eyJhbGci.x.y&state=1", "http://h/cb#access_token=*****&state=1")]
    [TestCase("GET http://h/a?token=abc failed (401); retry http://h/b?page=2&password=hunter2", "GET http://h/a?token=***** failed (401); retry http://h/b?page=2&password=*****")]
    [TestCase("Driver={PostgreSQL};Server=db;UID=app;PWD={se;cret};Database=x", "Driver={PostgreSQL};Server=db;UID=app;PWD=*****;Database=x")]
    [TestCase("Password=x1;Server=db", "Password=*****;Server=db")]
    [TestCase("Cannot reach 'https://a:b@h/?api_key=k1'.", "Cannot reach 'https://a:*****@h/?api_key=*****'.")]
    public void Secrets_inside_urls_and_query_strings_are_masked(string text, string expected) =>
        Assert.That(SafeText.MaskSecrets(text), Is.EqualTo(expected));

    [TestCase("file:/data/in.jsons")]
    [TestCase("https://host:9000/bucket/key?page=2&prefix=a")]
    [TestCase("user@example.com wrote a=b")]
    [TestCase("Transport.Port: expected a number; found \"x\".")]
    [TestCase("https://user:*****@host/")]
    public void Text_without_secrets_is_returned_unchanged(string text) =>
        Assert.That(SafeText.MaskSecrets(text), Is.SameAs(text));

    [Test]
    public void Masking_twice_gives_the_same_text() =>
        Assert.That(SafeText.MaskSecrets(SafeText.MaskSecrets("https://u:p@h/x?sig=1&token=2")), Is.EqualTo("https://u:*****@h/x?sig=*****&token=*****"));

    [Test]
    public void Terminal_control_sequences_bidi_overrides_and_c1_controls_are_escaped()
    {
        string text = "a\u001b[31mred\u001b[0m\r\bX\u0007\u009b2J\u202Egnp.exe\u2066x\u2069\u200B\ud800z\n\t";
        Assert.That(SafeText.EscapeControlCharacters(text),
            Is.EqualTo(@"a\u001B[31mred\u001B[0m\r\u0008X\u0007\u009B2J\u202Egnp.exe\u2066x\u2069\u200B\uD800z\n\t"));
    }

    [Test]
    public void Printable_text_and_valid_surrogate_pairs_are_not_escaped()
    {
        const string text = "héllo 😀 {\"a\":\"\\u001b\"}";
        Assert.That(SafeText.EscapeControlCharacters(text), Is.SameAs(text));
    }

    [Test]
    public void A_preview_escapes_control_bytes_and_shows_invalid_utf8_as_hex()
    {
        byte[] record = [.. "{\"a\":\""u8, 0x1B, .. "[2J"u8, 0xC2, 0x9B, .. "x"u8, 0xFF, 0xC3, .. "\"}\r\n"u8];
        Assert.That(SafeText.Preview(record), Is.EqualTo(@"{""a"":""\u001B[2J\u009Bx\xFF\xC3""}\r\n"));
    }

    [Test]
    public void A_long_record_is_previewed_in_its_first_200_bytes_and_says_it_was_cut()
    {
        byte[] record = Encoding.UTF8.GetBytes(new string('é', 150)); // 300 bytes: 'é' is 2 bytes
        string preview = SafeText.Preview(record);
        Assert.That(preview, Is.EqualTo(new string('é', 100) + "… (300 bytes)"));
    }

    [Test]
    public void A_character_cut_by_the_preview_end_is_left_out()
    {
        byte[] record = [.. Enumerable.Repeat((byte)'a', 199), .. "é"u8, .. "b"u8];
        Assert.That(SafeText.Preview(record), Is.EqualTo(new string('a', 199) + "… (202 bytes)"));
    }

    [Test]
    public void A_short_printable_record_is_previewed_as_is() =>
        Assert.That(SafeText.Preview("{\"id\":1}"u8), Is.EqualTo("{\"id\":1}"));

    [Test]
    public void A_rejected_record_escapes_its_reason_and_preview_whoever_builds_it()
    {
        var rejected = new RejectedRecord("in", 0, 1, FastScore.Streams.Schemas.RejectionKind.Schema, "$.a: expected float, got \"\u001b]0;pwned\u0007\"", null, "\u001b[2J");
        Assert.Multiple(() =>
        {
            Assert.That(rejected.Reason, Is.EqualTo(@"$.a: expected float, got ""\u001B]0;pwned\u0007"""));
            Assert.That(rejected.Preview, Is.EqualTo(@"\u001B[2J"));
            Assert.That(rejected.ToString().Contains('\u001b', StringComparison.Ordinal), Is.False, "NUnit's Contains is culture-sensitive and ignores control characters");
        });
    }

    [Test]
    public void Exceptions_and_descriptor_errors_mask_urls_in_their_messages()
    {
        var exception = new StreamException("Cannot open https://u:pw@h/x?token=t1");
        var error = new FastScore.Streams.Descriptors.DescriptorError("Transport.Url", "found \"https://u:pw@h/x?sig=s1\"");
        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Is.EqualTo("Cannot open https://u:*****@h/x?token=*****"));
            Assert.That(error.ToString(), Is.EqualTo("Transport.Url: found \"https://u:*****@h/x?sig=*****\""));
        });
    }
}
