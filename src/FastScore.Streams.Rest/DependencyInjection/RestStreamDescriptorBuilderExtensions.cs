using FastScore.Streams.Rest;

namespace FastScore.Streams.Descriptors;

/// <summary>The REST transport's builder method.</summary>
public static class RestStreamDescriptorBuilderExtensions
{
    /// <summary>Uses REST: records arrive by HTTP requests and leave by responses.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="mode">Simple (one record per request) or chunked (bodies framed by the envelope).</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public static StreamDescriptorBuilder UseRest(this StreamDescriptorBuilder builder, RestMode mode = RestMode.Simple)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseTransport(new RestTransportDescriptor { Mode = mode });
    }
}
