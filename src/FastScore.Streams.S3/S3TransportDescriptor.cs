using System.Globalization;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Diagnostics;

namespace FastScore.Streams.S3;

/// <summary>
/// S3: an object (or every object under a prefix) of a bucket. Read, checked, printed and expanded from the
/// <c>s3://bucket/key</c> literal by <see cref="S3TransportProvider"/>; built in code with <c>UseS3(...)</c>.
/// </summary>
public sealed record S3TransportDescriptor : TransportDescriptor
{
    /// <summary>The transport type name, <c>s3</c>.</summary>
    public const string TypeName = "s3";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>Gets the bucket.</summary>
    public required string Bucket { get; init; }

    /// <summary>Gets the object key (or the key prefix when it ends with <c>/</c> on input).</summary>
    public required string ObjectKey { get; init; }

    /// <summary>Gets the region.</summary>
    /// <value>The default value is <c>"us-east-1"</c>.</value>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Gets a value indicating whether Content-MD5 integrity checks are made.</summary>
    public bool IntegrityChecks { get; init; }

    /// <summary>Gets the access key id (may be a <c>secret://</c> reference), or <see langword="null"/> for the AWS credential chain.</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>Gets the secret access key (may be a <c>secret://</c> reference), or <see langword="null"/>.</summary>
    public string? SecretAccessKey { get; init; }

    /// <summary>Gets the S3-compatible endpoint URL (path-style addressing), or <see langword="null"/> for AWS.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Gets the <c>AssumeRoleWithSAML</c> settings as raw JSON, or <see langword="null"/>.</summary>
    public string? AssumeRoleWithSaml { get; init; }

    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => false;

    /// <inheritdoc />
    public override bool IsSeekable => true;

    /// <summary>Prints the members for <c>ToString()</c> with the keys and the SAML settings masked as <c>*****</c> (a <c>secret://</c> reference is shown).</summary>
    /// <param name="builder">Receives the members.</param>
    /// <returns><see langword="true"/>.</returns>
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append("Type = ").Append(Type)
            .Append(", Bucket = ").Append(Bucket)
            .Append(", ObjectKey = ").Append(ObjectKey)
            .Append(", Region = ").Append(Region)
            .Append(", IntegrityChecks = ").Append(IntegrityChecks)
            .Append(", Endpoint = ").Append(Endpoint is null ? null : SafeText.MaskSecrets(Endpoint))
            .Append(", AccessKeyId = ").Append(Mask(AccessKeyId))
            .Append(", SecretAccessKey = ").Append(Mask(SecretAccessKey))
            .Append(", AssumeRoleWithSaml = ").Append(AssumeRoleWithSaml is null ? null : SafeText.Mask);
        return true;
    }

    /// <inheritdoc />
    protected override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Bucket is null)
        {
            errors.Add("Bucket", "required field is missing; set Bucket.");
        }
        else if (Bucket.Length is < 3 or > 63)
        {
            errors.Add("Bucket", $"must be a bucket name of 3 to 63 characters; found {DescriptorErrors.Quote(Bucket)}.");
        }

        if (ObjectKey is null)
        {
            errors.Add("ObjectKey", "required field is missing; set ObjectKey.");
        }
        else
        {
            int keyBytes = System.Text.Encoding.UTF8.GetByteCount(ObjectKey);
            if (keyBytes is < 1 or > 1024)
            {
                errors.Add("ObjectKey", $"must be an object key of 1 to 1024 bytes; found {(keyBytes == 0 ? "\"\"" : $"{keyBytes.ToString(CultureInfo.InvariantCulture)} bytes")}.");
            }
        }

        if (string.IsNullOrEmpty(Region))
        {
            errors.Add("Region", $"must be a non-empty string; found {(Region is null ? "null" : "\"\"")}.");
        }

        if (string.IsNullOrEmpty(AccessKeyId) != string.IsNullOrEmpty(SecretAccessKey))
        {
            string missing = string.IsNullOrEmpty(AccessKeyId) ? "AccessKeyID" : "SecretAccessKey";
            string given = missing == "AccessKeyID" ? "SecretAccessKey" : "AccessKeyID";
            errors.Add(missing, $"give both AccessKeyID and SecretAccessKey, or neither (to use the AWS credential chain); found {given} without {missing}.");
        }

        if (Endpoint is not null && !IsHttpUrl(Endpoint))
        {
            errors.Add("Endpoint", $"must be an absolute http or https URL, e.g. \"http://localhost:4568\", or null; found {DescriptorErrors.Quote(Endpoint)}.");
        }

        if (AssumeRoleWithSaml is { } role)
        {
            bool ok;
            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(role);
                ok = document.RootElement.ValueKind is System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.String;
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException)
            {
                ok = false; // ArgumentException: the text is not valid UTF-16
            }

            if (!ok)
            {
                errors.Add("AssumeRoleWithSAML", "must hold the JSON text of an object {\"RoleArn\": ..., \"SAMLAssertion\": ...} or of a string.");
            }
        }
    }

    /// <summary>Writes the fields; the secret access key is always masked in the display forms, the access key id unless it is a <c>secret://</c> reference, and <c>SAMLAssertion</c>.</summary>
    /// <param name="writer">The writer.</param>
    protected override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("Bucket", Bucket);
        writer.WriteString("ObjectKey", ObjectKey);
        writer.WriteString("Region", Region);
        writer.WriteBoolean("IntegrityChecks", IntegrityChecks);
        writer.WriteSecret("AccessKeyID", AccessKeyId);
        writer.WriteString("SecretAccessKey", writer.MasksSecrets && SecretAccessKey is not null ? SafeText.Mask : SecretAccessKey);
        writer.WriteUrl("Endpoint", Endpoint);
        writer.WriteJson("AssumeRoleWithSAML", AssumeRoleWithSaml, s_samlSecretWords);
    }

    private static readonly string[] s_samlSecretWords = ["saml"];

    internal static bool IsHttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;

    private static string? Mask(string? value) =>
        string.IsNullOrEmpty(value) || value.StartsWith("secret://", StringComparison.OrdinalIgnoreCase) ? value : SafeText.Mask;
}

/// <summary>Mutable settings for <c>UseS3(...)</c>; they become an <see cref="S3TransportDescriptor"/>.</summary>
public sealed class S3TransportSettings
{
    /// <summary>Gets or sets the bucket. Required.</summary>
    public string? Bucket { get; set; }

    /// <summary>Gets or sets the object key (a prefix ending in <c>/</c> reads every object under it). Required.</summary>
    public string? ObjectKey { get; set; }

    /// <summary>Gets or sets the region.</summary>
    /// <value>The default value is <c>"us-east-1"</c>.</value>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Gets or sets a value indicating whether Content-MD5 integrity checks are made.</summary>
    public bool IntegrityChecks { get; set; }

    /// <summary>Gets or sets the access key id (may be <c>secret://name</c>), or <see langword="null"/> for the AWS credential chain.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>Gets or sets the secret access key (may be <c>secret://name</c>), or <see langword="null"/>.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>Gets or sets the endpoint of an S3-compatible store, or <see langword="null"/> for AWS.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Gets or sets the <c>AssumeRoleWithSAML</c> settings as raw JSON (an object or a string), or <see langword="null"/>.</summary>
    public string? AssumeRoleWithSaml { get; set; }

    /// <summary>Makes the descriptor; a missing bucket or key is reported when the descriptor is built.</summary>
    internal S3TransportDescriptor ToDescriptor() => new()
    {
        Bucket = Bucket!,
        ObjectKey = ObjectKey!,
        Region = Region,
        IntegrityChecks = IntegrityChecks,
        AccessKeyId = string.IsNullOrEmpty(AccessKeyId) ? null : AccessKeyId,
        SecretAccessKey = string.IsNullOrEmpty(SecretAccessKey) ? null : SecretAccessKey,
        Endpoint = string.IsNullOrEmpty(Endpoint) ? null : Endpoint,
        AssumeRoleWithSaml = AssumeRoleWithSaml,
    };
}
