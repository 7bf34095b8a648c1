using Amazon.S3;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.S3;

/// <summary>Settings of the <c>s3</c> transport (one instance per registration, shared by every S3 stream).</summary>
public sealed class S3TransportOptions
{
    /// <summary>The smallest part S3 accepts in a multipart upload (every part but the last): 5 MiB.</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>
    /// Gets or sets the factory of S3 clients, called once per stream when it opens with the descriptor whose
    /// <c>secret://</c> keys are already resolved (and empty keys turned into <see langword="null"/>). When set, it is
    /// used for every descriptor; the transport does not dispose the clients it returns.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: an <see cref="IAmazonS3"/> registered in DI serves descriptors that name
    /// no connection of their own (no <c>Endpoint</c>, keys or <c>AssumeRoleWithSAML</c>); otherwise a client is built from the descriptor.</value>
    public Func<S3TransportDescriptor, IAmazonS3>? ClientFactory { get; set; }

    /// <summary>Gets or sets the size of the parts of a multipart upload, in bytes (at least 5 MiB).</summary>
    /// <value>The default value is 8 MiB.</value>
    public int PartSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Gets or sets how many parts may upload at once while the next one fills. An output holds at most this many parts
    /// plus one in memory.
    /// </summary>
    /// <value>The default value is 2.</value>
    public int MaxConcurrentPartUploads { get; set; } = 2;

    /// <summary>Gets or sets the buffer size of an input (how many bytes one read from the object asks for).</summary>
    /// <value>The default value is 128 KiB.</value>
    public int ReadBufferSize { get; set; } = 128 * 1024;

    /// <summary>
    /// Gets or sets how many times in a row an input re-issues a ranged GET from its current position after a dropped
    /// connection or a transient error, without receiving a byte in between, before it fails.
    /// </summary>
    /// <value>The default value is 5.</value>
    public int MaxReadRetries { get; set; } = 5;

    /// <summary>
    /// Gets or sets how many times in a row an output retries one request (starting the upload, a part, completing it)
    /// after a dropped connection or a transient error (5xx, SlowDown), before it fails.
    /// </summary>
    /// <value>The default value is 5: with the default <see cref="RetryDelay"/> an outage of about 6 s is bridged.</value>
    public int MaxWriteRetries { get; set; } = 5;

    /// <summary>Gets or sets the delay before the first retry of a read or a write; it doubles on each further retry (at most 10 s).</summary>
    /// <value>The default value is 200 ms.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets how long a read may wait for the next bytes of an object before the connection is treated as dropped.</summary>
    /// <value>The default value is 60 s.</value>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets the function that resolves a <c>secret://</c> reference to its value. The default reads
    /// <c>secret://name</c> from <c>$SECRET_PATH_ROOT/name</c> (or <c>/run/secrets/name</c>) and <c>secret:///abs/path</c> from the path.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <see cref="SecretResolver.Resolve(string?)"/>.</value>
    public Func<string, string>? SecretResolver { get; set; }

    /// <summary>
    /// Gets or sets the STS endpoint used for <c>AssumeRoleWithSAML</c>, or <see langword="null"/> for AWS STS in the
    /// descriptor's region.
    /// </summary>
    public string? StsServiceUrl { get; set; }

    internal void Validate()
    {
        if (PartSize < MinimumPartSize)
        {
            throw new ArgumentOutOfRangeException(nameof(PartSize), PartSize, "S3 parts must be at least 5 MiB (5242880 bytes).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentPartUploads, 1, nameof(MaxConcurrentPartUploads));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadBufferSize, 4096, nameof(ReadBufferSize));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxReadRetries, nameof(MaxReadRetries));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxWriteRetries, nameof(MaxWriteRetries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReadTimeout, TimeSpan.Zero, nameof(ReadTimeout));
    }
}
