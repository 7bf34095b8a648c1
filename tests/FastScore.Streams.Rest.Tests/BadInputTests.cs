using System.Net;
using System.Net.Http.Headers;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

/// <summary>Issue 12, point 2, over the engine API: a descriptor that is not text is a 400 naming the field, not a 500.</summary>
[Category("Integration")]
public sealed class BadInputTests
{
    private static IEnumerable<TestCaseData> NotText()
    {
        yield return new TestCaseData(System.Text.Encoding.UTF8.GetBytes("""{"Transport": {"Type": "file", "Path": "/tmp/\ud800"}, "Encoding": "json"}"""), "Transport.Path")
            .SetName("Sampling_a_descriptor_whose_path_has_a_lone_surrogate_answers_400_naming_Transport_Path");
        yield return new TestCaseData((byte[])[.. "{\"Transport\": {\"Type\": \"inline\", \"Data\": [\"1\", \""u8, 0xC0, 0xAF, .. "\"]}, \"Encoding\": \"json\"}"u8], "Transport.Data[1]")
            .SetName("Sampling_a_descriptor_with_an_overlong_UTF8_item_answers_400_naming_the_item");
        yield return new TestCaseData(System.Text.Encoding.UTF8.GetBytes("""{"Transport": "REST", "\udc00": 1}"""), "[\"\\udc00\"]")
            .SetName("Sampling_a_descriptor_with_a_key_that_is_not_text_answers_400_naming_the_key");
    }

    [TestCaseSource(nameof(NotText))]
    public async Task A_descriptor_that_is_not_text_is_a_400_with_the_field_path(byte[] descriptor, string path)
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(null);
        using var sample = new ByteArrayContent(descriptor);
        sample.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage sampled = await rest.Client.PostAsync("/1/stream/sample", sample);
        using var attach = new ByteArrayContent(descriptor);
        attach.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage attached = await rest.Client.PutAsync("/2/active/stream/0", attach);
        string sampleBody = await sampled.Content.ReadAsStringAsync();
        string attachBody = await attached.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(sampled.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), sampleBody);
            Assert.That(sampleBody, Does.Contain(path + ": expected"));
            Assert.That(attached.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), attachBody);
            Assert.That(attachBody, Does.Contain(path));
        });
    }
}
