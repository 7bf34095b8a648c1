using FastScore.Streams.Descriptors;
using FastScore.Streams.Rest;
using static FastScore.Streams.Tests.Descriptors.DescriptorAssert;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>Top-level fields (§1): defaults, explicit nulls, shapes, unknown fields, versions, malformed JSON.</summary>
public sealed class TopLevelFieldTests
{
    [Test]
    public void Minimal_descriptor_takes_every_default()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": "REST"}""");
        Assert.Multiple(() =>
        {
            Assert.That(d.Version, Is.EqualTo("1.2"));
            Assert.That(d.Description, Is.Null);
            Assert.That(d.Transport, Is.EqualTo(new RestTransportDescriptor { Mode = RestMode.Simple }));
            Assert.That(d.Loop, Is.False);
            Assert.That(d.SkipTo, Is.Null);
            Assert.That(d.SkipToRecord, Is.Null);
            Assert.That(d.Envelope, Is.Null);
            Assert.That(d.Encoding, Is.Null);
            Assert.That(d.Schema, Is.EqualTo(SchemaReference.Inherit));
            Assert.That(d.Batching, Is.EqualTo(BatchingDescriptor.Normal));
            Assert.That(d.LingerTime, Is.EqualTo(3000));
            Assert.That(d.Warnings, Is.Empty);
        });
    }

    [Test]
    public void Description_is_kept()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": "discard", "Description": "scores out"}""");
        Assert.That(d.Description, Is.EqualTo("scores out"));
    }

    [Test]
    public void Description_must_be_a_string() =>
        Fails("""{"Transport": "discard", "Description": 5}""", "Description", "expected a string or null", "found 5");

    [Test]
    public void Missing_transport_is_an_error_with_an_example() =>
        Fails("""{"Encoding": "json"}""", "Transport", "required field is missing", "\"Type\": \"file\"");

    [Test]
    public void Null_transport_is_an_error() =>
        Fails("""{"Transport": null}""", "Transport", "expected an object with a Type", "found null");

    [Test]
    public void Transport_of_the_wrong_type_is_an_error() =>
        Fails("""{"Transport": 12}""", "Transport", "found 12");

    [TestCase("true", true)]
    [TestCase("false", false)]
    public void Loop_is_read(string value, bool expected)
    {
        StreamDescriptor d = Packages.Parse($$"""{"Transport": {"Type": "file", "Path": "/d/x.jsons"}, "Loop": {{value}}}""");
        Assert.That(d.Loop, Is.EqualTo(expected));
    }

    [TestCase("\"yes\"", "\"yes\"")]
    [TestCase("1", "1")]
    [TestCase("null", "null")]
    public void Loop_must_be_a_boolean(string value, string found) =>
        Fails($$"""{"Transport": {"Type": "file", "Path": "/d/x"}, "Loop": {{value}}}""", "Loop", "expected true or false", $"found {found}");

    [Test]
    public void Loop_defaults_to_false_even_for_files()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": {"Type": "file", "Path": "/d/x.jsons"}}""");
        Assert.That(d.Loop, Is.False);
    }

    [Test]
    public void SkipTo_is_read_as_a_byte_offset()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": {"Type": "file", "Path": "/d/x"}, "SkipTo": 1024}""");
        Assert.That(d.SkipTo, Is.EqualTo(1024));
    }

    [Test]
    public void SkipTo_must_not_be_negative() =>
        Fails("""{"Transport": {"Type": "file", "Path": "/d/x"}, "SkipTo": -1}""", "SkipTo", "non-negative", "found -1");

    [Test]
    public void SkipTo_must_be_an_integer() =>
        Fails("""{"Transport": {"Type": "file", "Path": "/d/x"}, "SkipTo": 1.5}""", "SkipTo", "a byte offset", "found 1.5");

    [Test]
    public void SkipTo_null_is_accepted()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": {"Type": "file", "Path": "/d/x"}, "SkipTo": null}""");
        Assert.That(d.SkipTo, Is.Null);
    }

    [TestCase("\"earliest\"", RecordPositionKind.Earliest, 0)]
    [TestCase("\"LATEST\"", RecordPositionKind.Latest, 0)]
    [TestCase("42", RecordPositionKind.Offset, 42)]
    public void SkipToRecord_is_read(string value, RecordPositionKind kind, long offset)
    {
        StreamDescriptor d = Packages.Parse($$"""{"Transport": {"Type": "kafka", "BootstrapServers": ["k:9092"], "Topic": "t"}, "SkipToRecord": {{value}}}""");
        Assert.That(d.SkipToRecord, Is.EqualTo(new RecordPosition(kind, offset)));
    }

    [Test]
    public void SkipToRecord_rejects_other_words() =>
        Fails("""{"Transport": {"Type": "kafka", "BootstrapServers": ["k:9092"], "Topic": "t"}, "SkipToRecord": "earlist"}""",
            "SkipToRecord", "\"earliest\", \"latest\"", "found \"earlist\"", "Did you mean 'earliest'?");

    [Test]
    public void SkipToRecord_rejects_negative_numbers() =>
        Fails("""{"Transport": {"Type": "kafka", "BootstrapServers": ["k:9092"], "Topic": "t"}, "SkipToRecord": -3}""", "SkipToRecord", "found -3");

    [Test]
    public void LingerTime_is_read_in_milliseconds()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": "discard", "LingerTime": 250}""");
        Assert.That(d.LingerTime, Is.EqualTo(250));
    }

    [Test]
    public void LingerTime_null_disables_the_wait()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": "discard", "LingerTime": null}""");
        Assert.That(d.LingerTime, Is.Null);
    }

    [Test]
    public void LingerTime_must_not_be_negative() =>
        Fails("""{"Transport": "discard", "LingerTime": -5}""", "LingerTime", "non-negative number of milliseconds", "found -5");

    [Test]
    public void LingerTime_must_be_a_number() =>
        Fails("""{"Transport": "discard", "LingerTime": "3s"}""", "LingerTime", "found \"3s\"");

    [TestCase("\"normal\"", 1000, 500)]
    [TestCase("\"NORMAL\"", 1000, 500)]
    [TestCase("\"explicit\"", null, null)]
    [TestCase("null", 1, null)]
    [TestCase("""{"Watermark": 10, "NagleTime": 5}""", 10, 5)]
    [TestCase("""{"NagleTime": 0, "Watermark": null}""", null, 0)]
    [TestCase("""{"NagleTime": 20}""", 1000, 20)]
    [TestCase("{}", 1000, 500)]
    public void Batching_is_read(string value, int? watermark, int? nagle)
    {
        StreamDescriptor d = Packages.Parse($$"""{"Transport": "REST", "Batching": {{value}}}""");
        Assert.That(d.Batching, Is.EqualTo(new BatchingDescriptor(watermark, nagle)));
    }

    [Test]
    public void Batching_rejects_unknown_names() =>
        Fails("""{"Transport": "REST", "Batching": "explict"}""", "Batching", "\"normal\", \"explicit\"", "found \"explict\"", "Did you mean 'explicit'?");

    [Test]
    public void Batching_watermark_must_be_positive() =>
        Fails("""{"Transport": "REST", "Batching": {"Watermark": 0}}""", "Batching.Watermark", "positive integer or null", "found 0");

    [Test]
    public void Batching_nagle_time_must_not_be_negative() =>
        Fails("""{"Transport": "REST", "Batching": {"NagleTime": -1}}""", "Batching.NagleTime", "found -1");

    [Test]
    public void Batching_rejects_unknown_fields() =>
        Fails("""{"Transport": "REST", "Batching": {"Watermrk": 5}}""", "Batching.Watermrk", "unknown field", "Did you mean 'Watermark'?");

    [Test]
    public void Batching_must_be_a_string_object_or_null() =>
        Fails("""{"Transport": "REST", "Batching": 5}""", "Batching", "found 5");

    [Test]
    public void Unknown_top_level_field_names_the_nearest_known_one() =>
        Fails("""{"Transport": "REST", "Transprot": "REST"}""", "Transprot", "unknown field of a stream descriptor", "Did you mean 'Transport'?");

    [Test]
    public void Unknown_field_far_from_every_known_one_gets_no_suggestion()
    {
        DescriptorError error = Fails("""{"Transport": "REST", "Colour": "blue"}""", "Colour", "unknown field", "known fields: Version, Description, Transport");
        Assert.That(error.Message, Does.Not.Contain("Did you mean"));
    }

    [Test]
    public void Field_names_match_case_insensitively()
    {
        StreamDescriptor d = Packages.Parse("""{"transport": "REST", "ENCODING": "json", "lingertime": 1}""");
        Assert.Multiple(() =>
        {
            Assert.That(d.Encoding, Is.EqualTo(EncodingDescriptor.Json));
            Assert.That(d.LingerTime, Is.EqualTo(1));
        });
    }

    [Test]
    public void A_field_given_twice_is_an_error() =>
        Fails("""{"Transport": "REST", "Loop": false, "loop": true}""", "Loop", "given twice", "'Loop'", "'loop'");

    [Test]
    public void Every_error_is_reported_at_once()
    {
        IReadOnlyList<DescriptorError> errors = Errors("""
            {"Transport": {"Type": "tcp", "Host": "h", "Port": 0}, "Loop": 1, "Envelope": "fixd", "Encoding": "jsno", "LingerTime": -1, "Extra": 1}
            """);
        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[] { "Transport.Port", "Loop", "Envelope", "Encoding", "LingerTime", "Extra" }));
    }

    [Test]
    public void The_exception_message_lists_every_error_with_its_path()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.Parse("""{"Transport": "REST", "Loop": 1, "LingerTime": -1}"""));
        Assert.That(ex!.Message, Does.Contain("2 errors").And.Contain("Loop: expected true or false").And.Contain("LingerTime: must be"));
    }

    [Test]
    public void A_top_level_array_is_an_error() =>
        Fails("""[{"Transport": "REST"}]""", "", "expected a JSON object (a stream descriptor)", "found an array");

    [Test]
    public void EndMarker_is_ignored_with_a_warning()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": "REST", "EndMarker": "$end-of-stream"}""");
        Assert.That(d.Warnings.Select(w => w.Path), Is.EqualTo(new[] { "EndMarker" }));
        Assert.That(d.Warnings[0].Message, Does.Contain("control records"));
    }

    [Test]
    public void Json_comments_are_allowed()
    {
        StreamDescriptor d = Packages.Parse("""
            {
              // input from REST
              "Transport": "REST" /* simple mode */
            }
            """);
        Assert.That(d.Transport, Is.TypeOf<RestTransportDescriptor>());
    }
}

/// <summary>The Version field: absent → 1.2, newer minor → warning, other major → error.</summary>
public sealed class VersionTests
{
    [Test]
    public void Absent_version_is_1_2() =>
        Assert.That(Packages.Parse("""{"Transport": "REST"}""").Version, Is.EqualTo("1.2"));

    [TestCase("1.2")]
    [TestCase("1.0")]
    [TestCase("1.1")]
    public void Known_versions_are_accepted_without_warning(string version)
    {
        StreamDescriptor d = Packages.Parse($$"""{"Version": "{{version}}", "Transport": "REST"}""");
        Assert.Multiple(() =>
        {
            Assert.That(d.Version, Is.EqualTo(version));
            Assert.That(d.Warnings, Is.Empty);
        });
    }

    [TestCase("1.3")]
    [TestCase("1.10")]
    public void A_newer_minor_version_is_accepted_with_a_warning(string version)
    {
        StreamDescriptor d = Packages.Parse($$"""{"Version": "{{version}}", "Transport": "REST"}""");
        Assert.Multiple(() =>
        {
            Assert.That(d.Version, Is.EqualTo(version));
            Assert.That(d.Warnings, Has.Count.EqualTo(1));
            Assert.That(d.Warnings[0].Path, Is.EqualTo("Version"));
            Assert.That(d.Warnings[0].Message, Does.Contain("newer than 1.2"));
        });
    }

    [TestCase("2.0")]
    [TestCase("0.9")]
    public void An_unknown_major_version_is_an_error(string version) =>
        Fails($$"""{"Version": "{{version}}", "Transport": "REST"}""", "Version", $"'{version}' is not supported", "major version 1");

    [TestCase("\"abc\"", "\"abc\"")]
    [TestCase("\"1\"", "\"1\"")]
    [TestCase("1.2", "1.2")]
    public void A_malformed_version_is_an_error(string value, string found) =>
        Fails($$"""{"Version": {{value}}, "Transport": "REST"}""", "Version", "a version string \"1.x\"", $"found {found}");
}

/// <summary>Malformed JSON reports a 1-based line and position.</summary>
public sealed class MalformedJsonTests
{
    [Test]
    public void Malformed_json_reports_line_and_position()
    {
        DescriptorError error = Fails("{\n  \"Transport\": \"REST\",\n  \"Loop\": tru\n}", "", "malformed JSON at line 3, position ", "'true'");
        Assert.That(error.Message, Does.Not.Contain("LineNumber").And.Not.Contain("\n"));
    }

    [Test]
    public void Trailing_commas_are_malformed() =>
        Fails("{\"Transport\": \"REST\",}", "", "malformed JSON at line 1");

    [Test]
    public void Empty_text_is_malformed() =>
        Fails("", "", "malformed JSON at line 1, position 1");

    [Test]
    public void Utf8_bytes_report_malformed_json_too()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.Parse("{\"Transport\": }"u8));
        Assert.That(ex!.Errors[0].Message, Does.StartWith("malformed JSON at line 1, position 15"));
    }

    [Test]
    public void Utf8_bytes_with_a_second_value_are_malformed()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.Parse("{\"Transport\": \"REST\"} {}"u8));
        Assert.That(ex!.Errors[0].Message, Does.StartWith("malformed JSON"));
    }

    [Test]
    public void Utf8_bytes_with_a_byte_order_mark_parse()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "{\"Transport\": \"REST\"}"u8.ToArray()];
        Assert.That(Packages.Parse(bytes.AsSpan()).Transport, Is.TypeOf<RestTransportDescriptor>());
    }

    [Test]
    public void A_stream_parses()
    {
        using var stream = new MemoryStream("{\"Transport\": \"discard\"}"u8.ToArray());
        Assert.That(Packages.Parse(stream).Transport, Is.TypeOf<DiscardTransportDescriptor>());
    }

    [Test]
    public async Task A_stream_parses_asynchronously()
    {
        using var stream = new MemoryStream("{\"Transport\": \"discard\"}"u8.ToArray());
        StreamDescriptor d = await Packages.ParseAsync(stream);
        Assert.That(d.Transport, Is.TypeOf<DiscardTransportDescriptor>());
    }

    [Test]
    public void A_file_error_names_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fs-desc-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"Transport": "REST", "Loop": 3}""");
        try
        {
            var ex = Assert.Throws<DescriptorException>(() => Packages.ParseFile(path));
            Assert.Multiple(() =>
            {
                Assert.That(ex!.Origin, Is.EqualTo($"file {path}"));
                Assert.That(ex.Message, Does.Contain(path));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_missing_file_throws_an_IOException() =>
        Assert.That(() => Packages.ParseFile("/nonexistent/descriptor.json"), Throws.InstanceOf<IOException>());
}
