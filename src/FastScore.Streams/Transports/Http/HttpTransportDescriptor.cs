namespace FastScore.Streams.Descriptors;

/// <summary>
/// HTTP: reads a URL (input only). Read, checked and expanded from <c>http://...</c> and <c>https://...</c> literals by
/// the core's http provider (docs/http.md).
/// </summary>
internal sealed record HttpTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Http;

    /// <summary>Gets the URL to read.</summary>
    public required string Url { get; init; }

    /// <summary>Gets a value indicating whether each <c>Transfer-Encoding: chunked</c> chunk is one record.</summary>
    public bool Chunked { get; init; }

    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => Chunked;

    /// <inheritdoc />
    public override bool IsSeekable => !Chunked;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    protected internal override string DescribeShape() => Chunked ? " with Chunked true" : string.Empty;

    /// <summary>Prints the members for <c>ToString()</c> with the secrets inside <see cref="Url"/> masked (<see cref="Diagnostics.SafeText.MaskSecrets"/>).</summary>
    /// <param name="builder">Receives the members.</param>
    /// <returns><see langword="true"/>.</returns>
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append("Type = ").Append(Type)
            .Append(", Url = ").Append(Diagnostics.SafeText.MaskSecrets(Url))
            .Append(", Chunked = ").Append(Chunked);
        return true;
    }

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!IsHttpUrl(Url))
        {
            errors.Add("Url", $"must be an absolute http or https URL, e.g. \"https://host/data.jsons\"; found {DescriptorErrors.Quote(Url ?? string.Empty)}.");
        }
    }

    /// <inheritdoc />
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUrl("Url", Url);
        writer.WriteBoolean("Chunked", Chunked);
    }

    internal static bool IsHttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;
}

// This transport's builder method: one part of StreamDescriptorBuilder per transport folder.
public sealed partial class StreamDescriptorBuilder
{
    /// <summary>Uses an HTTP(S) URL, read with a streamed GET (input only).</summary>
    /// <param name="url">The URL.</param>
    /// <param name="chunked">Whether each <c>Transfer-Encoding: chunked</c> chunk is one record.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseHttp(string url, bool chunked = false) => UseTransport(new HttpTransportDescriptor { Url = url ?? string.Empty, Chunked = chunked });
}
