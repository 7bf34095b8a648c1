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
/// <c>ocf-block</c>: Avro Object Container File blocks. Its descriptor is read and checked here; a package that runs it
/// registers a provider of the same name (which replaces this one). Until then a stream using it cannot be opened, and
/// <c>stream verify</c> says so.
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

    public override Framer CreateFramer(EnvelopeDescriptor envelope, ComponentContext context) =>
        throw NotAvailable.Error("Envelope", "envelope", Type);

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

/// <summary><c>delimited-csv</c>: RFC 4180 lines. Read and checked here; a CSV package registers the provider that runs it.</summary>
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

    public override Framer CreateFramer(EnvelopeDescriptor envelope, ComponentContext context) =>
        throw NotAvailable.Error("Envelope", "envelope", Type);
}

/// <summary>The error of a component whose descriptor is known but which cannot run in this build.</summary>
internal static class NotAvailable
{
    public static DescriptorException Error(string path, string kind, string type) =>
        new(path, $"the {type} {kind} is not available: no registered provider implements it yet (its descriptor is read and checked, but a stream using it cannot be opened).");
}
