using System.Text;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>
/// Issue 12, point 2: a descriptor whose strings or keys are not text (a lone surrogate escape, bytes that are not
/// UTF-8) crashed the reader; each is now an error naming the field, as is every other malformed descriptor the fuzzer found.
/// </summary>
public sealed class DescriptorTextTests
{
    private static DescriptorException Invalid(byte[] json) => Assert.Throws<DescriptorException>(() => Packages.Parse(json))!;

    private static DescriptorException Invalid(string json) => Invalid(Encoding.UTF8.GetBytes(json));

    [TestCase("""{"Transport": {"Type": "file", "Path": "/tmp/\ud800"}, "Encoding": "json"}""", "Transport.Path", "\\ud800, an unpaired surrogate", TestName = "The_issues_path_with_a_lone_surrogate_is_an_error_at_Transport_Path")]
    [TestCase("""{"Transport": {"Type": "inline", "Data": ["1", "\udfff"]}}""", "Transport.Data[1]", "\\udfff", TestName = "An_inline_item_with_a_lone_low_surrogate_is_an_error_at_its_index")]
    [TestCase("""{"Transport": {"Type": "kafka", "BootstrapServers": ["k:9092"], "Topic": "t", "Config": {"a": "\ud800x"}}}""", "Transport.Config.a", "\\ud800", TestName = "A_Kafka_Config_value_with_a_lone_surrogate_is_an_error_at_its_key")]
    [TestCase("""{"Transport": "REST", "\ud800": 1}""", "[\"\\ud800\"]", "key", TestName = "A_top_level_key_with_a_lone_surrogate_is_an_error_at_that_key")]
    [TestCase("""{"Transport": "REST", "Schema": "{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"\\ud800\"]}"}""", "Schema.symbols[0]", "\\ud800", TestName = "Schema_text_holding_a_lone_surrogate_is_an_error_inside_Schema")]
    [TestCase("""{"Transport": "REST", "": 1}""", "[\"\"]", "unknown field", TestName = "An_empty_top_level_key_is_an_unknown_field_error_at_that_key")]
    [TestCase("""{"Version": "1234567890123456789012345678901.2", "Transport": "REST"}""", "Version", "not supported", TestName = "A_major_version_too_long_for_an_int_is_a_Version_error")]
    public void A_malformed_descriptor_is_an_error_at_the_field(string json, string path, string message)
    {
        DescriptorException error = Invalid(json);
        Assert.That(error.Errors.Select(e => e.Path), Does.Contain(path), error.Message);
        Assert.That(error.Errors.First(e => e.Path == path).Message, Does.Contain(message));
    }

    [Test]
    public void Bytes_that_are_not_UTF8_in_a_path_are_an_error_at_Transport_Path()
    {
        DescriptorException error = Invalid([.. "{\"Transport\": {\"Type\": \"file\", \"Path\": \"/tmp/"u8, 0xED, 0xA0, 0x80, .. "\"}}"u8]);
        Assert.That(error.Errors.Select(e => e.ToString()), Has.Some.StartsWith("Transport.Path: expected text; found a string that holds bytes that are not UTF-8"));
    }

    [Test]
    public void A_descriptor_string_holding_a_lone_surrogate_character_is_an_error_not_an_ArgumentException()
    {
        var error = Assert.Throws<DescriptorException>(() => Packages.Parse("{\"Transport\": {\"Type\": \"file\", \"Path\": \"/tmp/\ud800\"}}"));
        Assert.That(error!.Message, Does.Contain("not Unicode text"));
    }

    [Test]
    public void A_literal_holding_a_lone_surrogate_character_is_an_error_not_an_ArgumentException()
    {
        var error = Assert.Throws<DescriptorException>(() => Packages.Expand("file:/tmp/\ud800"));
        Assert.That(error!.Message, Does.Contain("not Unicode text"));
    }

    [Test]
    public void Paired_surrogates_are_text_and_read_back()
    {
        StreamDescriptor descriptor = Packages.Parse("""{"Transport": {"Type": "file", "Path": "/tmp/\ud83d\ude00"}, "Encoding": "json"}""");
        Assert.That(((FileTransportDescriptor)descriptor.Transport).Path, Is.EqualTo("/tmp/😀"));
    }
}
