using FastScore.Streams.S3;

namespace FastScore.Streams.Descriptors;

/// <summary>The S3 transport's builder method.</summary>
public static class S3StreamDescriptorBuilderExtensions
{
    /// <summary>Uses an S3 object (or every object under a prefix).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the bucket, the object key and any other S3 field.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public static StreamDescriptorBuilder UseS3(this StreamDescriptorBuilder builder, Action<S3TransportSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var settings = new S3TransportSettings();
        configure(settings);
        return builder.UseTransport(settings.ToDescriptor());
    }
}
