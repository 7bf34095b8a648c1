using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Streams.S3;

/// <summary>
/// The <c>s3</c> transport: reads objects (or every object under a key prefix) and writes objects of Amazon S3 or an
/// S3-compatible store (<c>Endpoint</c>). Register it with <c>builder.AddS3Transport()</c> or <c>options.AddS3()</c>.
/// </summary>
/// <remarks>
/// <para>Input: a streamed GET framed by the envelope (memory bounded by the buffers, whatever the object's size);
/// <c>SkipTo</c> is a ranged GET, <c>Loop</c> reads again from the start, dropped connections resume from the last byte.</para>
/// <para>Output: a multipart upload streamed as records are written (parts of <see cref="S3TransportOptions.PartSize"/>),
/// completed when the stream completes and aborted when it is disposed without completing; outputs smaller than one part
/// are written with one PutObject.</para>
/// <para>The client: <see cref="S3TransportOptions.ClientFactory"/> when set; else an <c>IAmazonS3</c> from DI for descriptors
/// that name no connection of their own; else one built from the descriptor (Region, Endpoint, keys, AssumeRoleWithSAML,
/// or the AWS credential chain).</para>
/// </remarks>
public sealed class S3TransportProvider : TransportProvider
{
    /// <summary>Creates the provider with default options.</summary>
    public S3TransportProvider()
        : this(new S3TransportOptions())
    {
    }

    /// <summary>Creates the provider.</summary>
    /// <param name="options">The settings shared by every S3 stream.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (e.g. a part smaller than 5 MiB).</exception>
    public S3TransportProvider(S3TransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <inheritdoc />
    public override string Type => S3TransportDescriptor.TypeName;

    /// <inheritdoc />
    public override IReadOnlyList<string>? Fields =>
        ["Bucket", "ObjectKey", "Region", "IntegrityChecks", "AccessKeyID", "SecretAccessKey", "Endpoint", "AssumeRoleWithSAML"];

    /// <inheritdoc />
    public override IReadOnlyList<LiteralTag> LiteralTags => [new("s3", "s3://bucket/path/data.jsons")];

    /// <inheritdoc />
    public override bool IsSeekable => true;

    /// <summary>Reads the fields of FastScore's S3 transport; empty keys and endpoint mean none (the AWS credential chain, AWS itself).</summary>
    /// <param name="fields">The fields of the transport object.</param>
    /// <returns>The descriptor.</returns>
    protected override TransportDescriptor Read(DescriptorFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        string? assumeRole = null;
        if (fields.TryGet("AssumeRoleWithSAML", out DescriptorValue role) && !role.IsNull)
        {
            if (role.Kind is System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.String)
            {
                assumeRole = role.ToJsonText();
            }
            else
            {
                fields.Errors.Add("AssumeRoleWithSAML", $"expected an object {{\"RoleArn\": ..., \"SAMLAssertion\": ...}} or a string; found {role.Describe()}.");
            }
        }

        return new S3TransportDescriptor
        {
            Bucket = fields.RequiredString("Bucket"),
            ObjectKey = fields.RequiredString("ObjectKey"),
            Region = fields.OptionalString("Region") ?? "us-east-1",
            IntegrityChecks = fields.OptionalBoolean("IntegrityChecks", false),
            AccessKeyId = EmptyToNull(fields.OptionalString("AccessKeyID")),
            SecretAccessKey = EmptyToNull(fields.OptionalString("SecretAccessKey")),
            Endpoint = EmptyToNull(fields.OptionalString("Endpoint")),
            AssumeRoleWithSaml = assumeRole,
        };
    }

    /// <summary>Expands <c>s3://bucket/key</c> (also <c>s3:bucket/key</c>); the key's ending names the encoding.</summary>
    /// <param name="context">The literal.</param>
    protected override void ExpandLiteral(LiteralContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string rest = context.Details;
        string s3 = rest.StartsWith("//", StringComparison.Ordinal) ? rest[2..] : rest;
        int keyStart = s3.IndexOf('/', StringComparison.Ordinal);
        if (keyStart <= 0 || keyStart == s3.Length - 1)
        {
            throw context.Fail("needs a bucket and an object key");
        }

        System.Text.Json.Utf8JsonWriter writer = context.Transport;
        writer.WriteStartObject();
        writer.WriteString(nameof(S3TransportDescriptor.Type), "S3");
        writer.WriteString(nameof(S3TransportDescriptor.Bucket), s3[..keyStart]);
        writer.WriteString(nameof(S3TransportDescriptor.ObjectKey), s3[(keyStart + 1)..]);
        writer.WriteEndObject();
        context.EncodingSource = s3;
    }

    private static string? EmptyToNull(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Gets the settings.</summary>
    public S3TransportOptions Options { get; }

    /// <inheritdoc />
    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        S3TransportDescriptor s3 = Validate(descriptor, context);
        return new S3InputTransport(new S3Connection(s3, Options, context));
    }

    /// <inheritdoc />
    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context)
    {
        S3TransportDescriptor s3 = Validate(descriptor, context);
        if (s3.ObjectKey.EndsWith('/'))
        {
            throw new DescriptorException("Transport.ObjectKey", $"'{s3.ObjectKey}' ends with '/': a key prefix can only be read; an output needs an object key.");
        }

        return new S3OutputTransport(new S3Connection(s3, Options, context));
    }

    private static S3TransportDescriptor Validate(StreamDescriptor descriptor, TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(context);
        if (descriptor.Transport is not S3TransportDescriptor s3)
        {
            throw new DescriptorException("Transport.Type", $"the s3 transport cannot serve a '{descriptor.Transport.Type}' descriptor.");
        }

        var errors = new List<DescriptorError>();
        if (string.IsNullOrWhiteSpace(s3.Bucket))
        {
            errors.Add(new DescriptorError("Transport.Bucket", "is required."));
        }
        else if (s3.Bucket.Length is < 3 or > 63)
        {
            errors.Add(new DescriptorError("Transport.Bucket", $"'{s3.Bucket}' must have 3 to 63 characters."));
        }

        if (string.IsNullOrEmpty(s3.ObjectKey))
        {
            errors.Add(new DescriptorError("Transport.ObjectKey", "is required."));
        }
        else if (s3.ObjectKey.Length > 1024)
        {
            errors.Add(new DescriptorError("Transport.ObjectKey", "must have at most 1024 characters."));
        }

        return errors.Count > 0 ? throw new DescriptorException(errors) : s3;
    }
}
