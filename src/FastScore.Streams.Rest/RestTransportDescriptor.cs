using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Rest;

/// <summary>REST transport mode.</summary>
public enum RestMode
{
    /// <summary>Each HTTP request or response carries one record.</summary>
    Simple,

    /// <summary>Bodies are raw chunks framed by the envelope.</summary>
    Chunked,
}

/// <summary>
/// REST: records arrive by HTTP requests to the engine and leave by responses. Read, checked, printed and expanded
/// from the <c>rest:</c> and <c>rest-chunked:</c> literals by <see cref="Transports.RestTransportProvider"/>.
/// </summary>
public sealed record RestTransportDescriptor : TransportDescriptor
{
    /// <summary>The transport type name, <c>rest</c>.</summary>
    public const string TypeName = "rest";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>Gets the mode.</summary>
    /// <value>The default value is <see cref="RestMode.Simple"/>.</value>
    public RestMode Mode { get; init; } = RestMode.Simple;

    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => Mode == RestMode.Simple;

    /// <inheritdoc />
    public override bool IsSeekable => false;

    /// <inheritdoc />
    protected override string DescribeShape() => Mode == RestMode.Simple ? " in simple mode" : string.Empty;

    /// <inheritdoc />
    protected override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("Mode", Mode == RestMode.Chunked ? "chunked" : "simple");
    }
}
