using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.S3;

/// <summary>
/// The S3 side of one stream: its bucket and key, and the client it uses, chosen and built when the stream opens
/// (so <c>secret://</c> keys are read at open time).
/// </summary>
internal sealed class S3Connection : IDisposable
{
    private readonly S3TransportDescriptor _descriptor;
    private readonly S3TransportOptions _options;
    private readonly TransportContext _context;
    private IAmazonS3? _client;
    private bool _ownsClient;

    public S3Connection(S3TransportDescriptor descriptor, S3TransportOptions options, TransportContext context)
    {
        _descriptor = descriptor;
        _options = options;
        _context = context;
        Logger = context.LoggerFactory.CreateLogger("FastScore.Streams.S3");
    }

    public string Bucket => _descriptor.Bucket;

    public string ObjectKey => _descriptor.ObjectKey;

    public bool IntegrityChecks => _descriptor.IntegrityChecks;

    /// <summary>Gets a value indicating whether the descriptor names an S3-compatible <c>Endpoint</c> (rather than AWS).</summary>
    public bool HasEndpoint => !string.IsNullOrWhiteSpace(_descriptor.Endpoint);

    public S3TransportOptions Options => _options;

    public string StreamName => _context.StreamName;

    public ILogger Logger { get; }

    /// <summary>Gets <c>s3://bucket/key</c>.</summary>
    public string DisplayName => Target(_descriptor.ObjectKey);

    public string Target(string key) => $"s3://{_descriptor.Bucket}/{key}";

    /// <summary>Returns the client, choosing or building it on first use.</summary>
    public IAmazonS3 GetClient()
    {
        if (_client is not null)
        {
            return _client;
        }

        S3TransportDescriptor resolved = _descriptor with
        {
            AccessKeyId = S3Secrets.Resolve(_descriptor.AccessKeyId, "AccessKeyID", _options.SecretResolver),
            SecretAccessKey = S3Secrets.Resolve(_descriptor.SecretAccessKey, "SecretAccessKey", _options.SecretResolver),
            Endpoint = string.IsNullOrWhiteSpace(_descriptor.Endpoint) ? null : _descriptor.Endpoint.Trim(),
            AssumeRoleWithSaml = string.IsNullOrWhiteSpace(_descriptor.AssumeRoleWithSaml) ? null : _descriptor.AssumeRoleWithSaml,
        };

        if (_options.ClientFactory is { } factory)
        {
            _client = factory(resolved) ?? throw new StreamException($"S3TransportOptions.ClientFactory returned null for {DisplayName}.");
            _ownsClient = false;
        }
        else if (resolved is { Endpoint: null, AccessKeyId: null, SecretAccessKey: null, AssumeRoleWithSaml: null }
                 && _context.Services?.GetService(typeof(IAmazonS3)) is IAmazonS3 shared)
        {
            _client = shared;
            _ownsClient = false;
        }
        else
        {
            _client = CreateClient(resolved, _options);
            _ownsClient = true;
        }

        return _client;
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client?.Dispose();
        }

        _client = null;
    }

    /// <summary>Builds a client for a descriptor whose secrets are resolved.</summary>
    internal static AmazonS3Client CreateClient(S3TransportDescriptor descriptor, S3TransportOptions options)
    {
        AmazonS3Config config = CreateConfig(descriptor);
        AWSCredentials? credentials = Credentials(descriptor, options);
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    /// <summary>The client configuration for a descriptor: AWS in its region, or its <c>Endpoint</c>.</summary>
    internal static AmazonS3Config CreateConfig(S3TransportDescriptor descriptor)
    {
        var config = new AmazonS3Config();
        if (descriptor.Endpoint is { } endpoint)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new DescriptorException("Transport.Endpoint", $"'{endpoint}' is not an http:// or https:// URL.");
            }

            // S3-compatible stores (MinIO, Ceph, LocalStack, R2, s3rver): path-style addressing, the descriptor's region for
            // signing, and checksums only where the API requires them (several emulators reject or mangle the others).
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = descriptor.Region;
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = descriptor.IntegrityChecks ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(descriptor.Region);
        }

        return config;
    }

    private static AWSCredentials? Credentials(S3TransportDescriptor descriptor, S3TransportOptions options)
    {
        if (descriptor.AssumeRoleWithSaml is { } saml)
        {
            return SamlCredentials.Create(saml, descriptor, options);
        }

        return (descriptor.AccessKeyId, descriptor.SecretAccessKey) switch
        {
            ({ } id, { } secret) => new BasicAWSCredentials(id, secret),
            (null, null) => null, // the SDK's default chain: environment, profile, web identity, container, instance role
            (null, _) => throw new DescriptorException("Transport.AccessKeyID", "SecretAccessKey is given without AccessKeyID; give both, or neither to use the AWS credential chain."),
            (_, null) => throw new DescriptorException("Transport.SecretAccessKey", "AccessKeyID is given without SecretAccessKey; give both, or neither to use the AWS credential chain."),
        };
    }
}
