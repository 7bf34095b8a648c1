using FastScore.Streams.Descriptors;
using FastScore.Streams.Descriptors.Json;

namespace FastScore.Streams.Envelopes;

/// <summary><c>delimited</c>: a record ends at a separator (<c>\n</c> by default). Also read: the old spelling <c>deliminated</c>.</summary>
internal sealed class DelimitedEnvelopeProvider : EnvelopeProvider
{
    public override string Type => EnvelopeTypes.Delimited;

    public override IReadOnlyList<ComponentAlias> Aliases { get; } = [new("deliminated", "an old misspelling of 'delimited'")];

    public override IReadOnlyList<string> Fields { get; } = ["Separator"];

    /// <summary>A separator may occur inside the bytes of a self-delimiting encoding's record.</summary>
    public override bool CanFrameSelfDelimitingEncodings => false;

    protected internal override EnvelopeDescriptor Read(DescriptorFields fields) =>
        new DelimitedEnvelopeDescriptor { Separator = fields.OptionalString("Separator") ?? "\n" };

    public override Framer CreateFramer(EnvelopeDescriptor envelope, ComponentContext context)
    {
        var d = (DelimitedEnvelopeDescriptor)envelope;
        return new DelimitedFramer(d.Separator, d.MaxRecordSize, d.OnOversize);
    }
}

/// <summary><c>fixed</c>: records of exactly <c>Size</c> bytes.</summary>
internal sealed class FixedEnvelopeProvider : EnvelopeProvider
{
    public override string Type => EnvelopeTypes.Fixed;

    public override IReadOnlyList<string> Fields { get; } = ["Size"];

    protected internal override EnvelopeDescriptor Read(DescriptorFields fields)
    {
        if (fields.IsShortcut)
        {
            fields.Errors.Add("Size", $"required field is missing (the shortcut \"fixed\" gives no Size; write {{\"Type\": \"fixed\", \"Size\": n}}); expected {Allowed.PositiveInt}.");
            return new FixedEnvelopeDescriptor { Size = 0 };
        }

        return new FixedEnvelopeDescriptor { Size = (int)fields.RequiredInteger("Size", Allowed.PositiveInt) };
    }

    public override Framer CreateFramer(EnvelopeDescriptor envelope, ComponentContext context)
    {
        var f = (FixedEnvelopeDescriptor)envelope;
        return new FixedFramer(f.Size, f.MaxRecordSize, f.OnOversize);
    }
}

/// <summary>
/// <c>ocf-block</c>: Avro Object Container File blocks (<see cref="Ocf.OcfBlockFramer"/>). Input: with a header
/// (<c>SkipHeader</c>, the default) the schema, codec and sync marker come from it (the schema must resolve to the stream's,
/// a <c>SyncMarker</c> or <c>Compress</c> given must be the header's); without one, from the descriptor. <c>SkipTo</c>
/// starts at the next block boundary. Output: a header (unless <c>SkipHeader</c> is false), then one block per batch.
/// </summary>
internal sealed class OcfBlockEnvelopeProvider : EnvelopeProvider
{
    public override string Type => EnvelopeTypes.OcfBlock;

    public override IReadOnlyList<string> Fields { get; } = ["SyncMarker", "Compress", "SkipHeader"];

    public override string? RequiredEncoding => EncodingTypes.AvroBinary;

    protected internal override EnvelopeDescriptor Read(DescriptorFields fields) => new OcfBlockEnvelopeDescriptor
    {
        SyncMarker = ReadSyncMarker(fields),
        Compress = fields.OptionalString("Compress"),
        SkipHeader = fields.OptionalBoolean("SkipHeader", true),
    };

    public override Framer CreateFramer(EnvelopeDescriptor envelope, ComponentContext context)
    {
        var d = (OcfBlockEnvelopeDescriptor)envelope;
        Avro.Schema schema = context.Schema ?? throw new DescriptorException("Schema", "an ocf-block stream needs the schema of its records (avro-binary requires a schema); found null.");
        byte[]? sync = d.SyncMarker?.ToArray();
        bool midFile = context.IsInput && context.Descriptor.SkipTo is > 0;
        if (midFile && sync is null)
        {
            throw new DescriptorException("Envelope.SyncMarker", $"SkipTo ({context.Descriptor.SkipTo}) starts past the container file's header, so the sync marker (and the codec, Compress) must be given: the header that holds them is not read; found null.");
        }

        // Started mid-file, the header is not read: the schema, sync marker and codec are the descriptor's.
        var options = new Ocf.OcfReadOptions(schema, HasHeader: d.SkipHeader && !midFile, SyncMarker: sync, Codec: d.Compress, StartsMidFile: midFile);
        return new Ocf.OcfBlockFramer(options, d.MaxRecordSize, d.OnOversize, outputCodec: d.Compress ?? "null", outputSync: sync) { WritesHeader = d.SkipHeader };
    }

    private static ReadOnlyMemory<byte>? ReadSyncMarker(DescriptorFields fields)
    {
        if (!fields.TryGet("SyncMarker", out DescriptorValue value) || value.IsNull)
        {
            return null;
        }

        if (value.Kind == System.Text.Json.JsonValueKind.String)
        {
            try
            {
                return Convert.FromBase64String(value.GetString());
            }
            catch (FormatException)
            {
            }
        }

        fields.Errors.Add("SyncMarker", $"expected the base64 text of 16 bytes, or null; found {value.Describe()}.");
        return null;
    }
}

/// <summary>
/// <c>delimited-csv</c>: RFC 4180 rows (<see cref="DelimitedCsvFramer"/>): a separator inside quotes does not end a record;
/// the default envelope of csv over a transport that does not keep record boundaries. It shares the stream's columns
/// (<see cref="Encodings.Csv.CsvLayout"/>) with the csv encoding and checker: it checks the header against them, or
/// fills them from the header when the stream has no schema.
/// </summary>
internal sealed class DelimitedCsvEnvelopeProvider : EnvelopeProvider
{
    public override string Type => EnvelopeTypes.DelimitedCsv;

    public override IReadOnlyList<string> Fields { get; } = ["Separator", "SkipHeader", "SkipBlankLines"];

    public override bool CanFrameSelfDelimitingEncodings => false;

    public override string? RequiredEncoding => EncodingTypes.Csv;

    protected internal override EnvelopeDescriptor Read(DescriptorFields fields) => new DelimitedCsvEnvelopeDescriptor
    {
        Separator = fields.OptionalString("Separator") ?? "\r\n",
        SkipHeader = fields.OptionalBoolean("SkipHeader", true),
        SkipBlankLines = fields.OptionalBoolean("SkipBlankLines", true),
    };

    public override Framer CreateFramer(EnvelopeDescriptor envelope, ComponentContext context)
    {
        var d = (DelimitedCsvEnvelopeDescriptor)envelope;
        var encoding = context.Descriptor.Encoding as CsvEncodingDescriptor ?? (CsvEncodingDescriptor)EncodingDescriptor.Csv;
        var format = new Encodings.Csv.CsvFormat(encoding.Delimiter, encoding.QuoteCharacter);
        Encodings.Csv.CsvLayout layout = Encodings.CsvEncodingProvider.Layout(context);
        if (d.Separator.Contains(format.QuoteChar, StringComparison.Ordinal))
        {
            throw new DescriptorException("Envelope.Separator", $"the separator must not hold the quote character '{format.QuoteChar}'.");
        }

        return new DelimitedCsvFramer(format, layout, d.Separator, d.SkipHeader, d.SkipBlankLines, d.MaxRecordSize, d.OnOversize);
    }
}

/// <summary>The error of a component whose descriptor is known but which cannot run in this build.</summary>
internal static class NotAvailable
{
    public static DescriptorException Error(string path, string kind, string type) =>
        new(path, $"the {type} {kind} is not available: no registered provider implements it yet (its descriptor is read and checked, but a stream using it cannot be opened).");
}
