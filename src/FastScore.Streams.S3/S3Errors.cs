using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace FastScore.Streams.S3;

/// <summary>Turns SDK and network errors into <see cref="StreamException"/>s that say what went wrong, never showing keys.</summary>
internal static class S3Errors
{
    /// <summary>Gets a value indicating whether retrying (from the current position) may succeed.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        AmazonServiceException service => service.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests
                or HttpStatusCode.RequestTimeout
            || service.ErrorCode is "SlowDown" or "RequestTimeout" or "InternalError" or "ServiceUnavailable" or "Throttling"
            || (service.StatusCode == 0 && service.InnerException is { } inner && IsTransient(inner)),
        AmazonClientException client => client.InnerException is { } inner && IsTransient(inner),
        IOException or HttpRequestException or SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>Describes an error for a message: a plain reason, then the S3 error code and HTTP status when there is one.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        AmazonS3Exception s3 => $"{Reason(s3)} ({Code(s3)}, HTTP {(int)s3.StatusCode})",
        AmazonServiceException service => $"{service.Message} ({Code(service)}, HTTP {(int)service.StatusCode})",
        AmazonClientException client when client.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase) =>
            "no AWS credentials were found: give AccessKeyID and SecretAccessKey (or secret:// references), or set up the " +
            "AWS credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, a web identity token, an instance role)",
        _ => exception.Message,
    };

    /// <summary>Wraps an error of <paramref name="action"/> on <paramref name="target"/> (<c>s3://bucket/key</c>).</summary>
    public static StreamException Wrap(Exception exception, string action, string target, string? streamName) =>
        exception as StreamException ?? new S3StreamException($"S3 {action} {target} failed: {Describe(exception).TrimEnd('.')}.", exception, IsTransient(exception))
        {
            StreamName = streamName,
        };

    /// <summary>
    /// An output that cannot be opened: says why and which descriptor field (or setting) to check,
    /// e.g. <c>S3 output s3://b/k cannot be written: the bucket does not exist (NoSuchBucket, HTTP 404); check Transport.Bucket.</c>
    /// </summary>
    public static StreamException OpenFailed(Exception exception, S3Connection connection)
    {
        if (exception is StreamException stream)
        {
            return stream; // e.g. a secret:// file that cannot be read: it names its field already
        }

        (string reason, string? field) = exception switch
        {
            AmazonS3Exception s3 => s3.ErrorCode switch
            {
                "NoSuchBucket" => ("the bucket does not exist", "Transport.Bucket"),
                "InvalidBucketName" => ("the bucket name is not valid", "Transport.Bucket"),
                "InvalidAccessKeyId" => ("the server does not know the access key id", "Transport.AccessKeyID (or its secret:// file, or the AWS credential chain)"),
                "SignatureDoesNotMatch" => ("the secret access key does not match the access key id", "Transport.SecretAccessKey (or its secret:// file)"),
                "AccessDenied" or "Forbidden" => ("access denied: these credentials may not write this key", "Transport.ObjectKey and the credentials' permissions (s3:PutObject)"),
                "KeyTooLongError" or "InvalidObjectName" => ("the server refuses the object key", "Transport.ObjectKey"),
                "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException" => ("the bucket is in another region", "Transport.Region"),
                "ExpiredToken" or "TokenRefreshRequired" or "InvalidToken" => ("the session credentials are not valid", "Transport.AssumeRoleWithSAML or the AWS credential chain"),
                _ when s3.StatusCode == HttpStatusCode.NotFound => ("the bucket does not exist", "Transport.Bucket"),
                _ when s3.StatusCode == HttpStatusCode.Forbidden => ("access denied", "the credentials and their permissions"),
                _ => (Reason(s3), null),
            },
            _ when IsTransient(exception) => ($"the server cannot be reached ({Describe(exception).TrimEnd('.')})", connection.HasEndpoint ? "Transport.Endpoint" : "the network"),
            _ => (Describe(exception).TrimEnd('.'), null),
        };
        string code = exception is AmazonServiceException service ? $" ({Code(service)}, HTTP {(int)service.StatusCode})" : string.Empty;
        string check = field is null ? string.Empty : $"; check {field}";
        return new S3StreamException($"S3 output {connection.DisplayName} cannot be written: {reason}{code}{check}.", exception, IsTransient(exception))
        {
            StreamName = connection.StreamName,
        };
    }

    private static string Code(AmazonServiceException exception) => string.IsNullOrEmpty(exception.ErrorCode) ? exception.StatusCode.ToString() : exception.ErrorCode;

    private static string Reason(AmazonS3Exception exception) => exception.ErrorCode switch
    {
        "NoSuchBucket" => "the bucket does not exist",
        "NoSuchKey" => "the object does not exist",
        "NotFound" => "the bucket or object does not exist",
        "InvalidAccessKeyId" => "the server does not know the access key id (check AccessKeyID, its secret:// file, or the AWS credential chain)",
        "SignatureDoesNotMatch" => "the secret access key does not match the access key id",
        "AccessDenied" or "Forbidden" => "access denied (the credentials lack permission for this bucket or key)",
        "ExpiredToken" or "TokenRefreshRequired" => "the session credentials have expired",
        "InvalidToken" => "the session token is not valid",
        "InvalidBucketName" => "the bucket name is not valid",
        "PermanentRedirect" or "AuthorizationHeaderMalformed" => "the bucket is in another region than Transport.Region",
        "BadDigest" or "InvalidDigest" => "the integrity check failed (Content-MD5 does not match the bytes received)",
        "EntityTooSmall" => "a part was smaller than the 5 MiB S3 requires",
        _ => exception.StatusCode switch
        {
            HttpStatusCode.NotFound => "not found",
            HttpStatusCode.Forbidden => "access denied",
            _ => exception.Message,
        },
    };
}

/// <summary>A failed S3 operation (the inner exception is the SDK's).</summary>
internal sealed class S3StreamException(string message, Exception? innerException, bool isTransient)
    : StreamException(message, innerException)
{
    public override bool IsTransient { get; } = isTransient;
}
