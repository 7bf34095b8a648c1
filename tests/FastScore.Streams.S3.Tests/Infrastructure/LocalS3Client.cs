using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;
using Amazon.S3.Model;

namespace FastScore.Streams.S3.Tests.Infrastructure;

/// <summary>
/// An <see cref="AmazonS3Client"/> for local S3 emulators that do not decode <c>aws-chunked</c> request bodies (s3rver).
/// </summary>
/// <remarks>
/// <para>Over plain http, SDK v4 signs PutObject/UploadPart bodies with <c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD</c>
/// (aws-chunked framing with chunk signatures), even with <c>RequestChecksumCalculation=WHEN_REQUIRED</c>.
/// s3rver 3.7.1 stores that framing verbatim, so objects are <b>silently corrupted</b> (the upload succeeds, the object
/// is larger than what was sent). A request can set <c>UseChunkEncoding=false</c>, but TransferUtility builds its own
/// requests, so this client forces it for every request in the pipeline.</para>
/// <para>It also un-escapes <c>x-amz-copy-source: bucket%2Fkey</c>, which s3rver answers with NoSuchBucket.
/// Real S3 accepts both forms, so code under test can take any <see cref="IAmazonS3"/>.</para>
/// </remarks>
public sealed class LocalS3Client : AmazonS3Client
{
    /// <summary>Creates a client with the given credentials and configuration.</summary>
    public LocalS3Client(AWSCredentials credentials, AmazonS3Config config)
        : base(credentials, config)
    {
    }

    /// <inheritdoc />
    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.AddHandlerBefore<Marshaller>(new NoChunkEncodingHandler());
        pipeline.AddHandlerAfter<Marshaller>(new CopySourceSlashHandler());
    }

    /// <summary>Sends PutObject and UploadPart bodies plain (no aws-chunked framing).</summary>
    private sealed class NoChunkEncodingHandler : PipelineHandler
    {
        public override void InvokeSync(IExecutionContext executionContext)
        {
            Apply(executionContext);
            base.InvokeSync(executionContext);
        }

        public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            Apply(executionContext);
            return base.InvokeAsync<T>(executionContext);
        }

        private static void Apply(IExecutionContext context)
        {
            switch (context.RequestContext.OriginalRequest)
            {
                case PutObjectRequest put:
                    put.UseChunkEncoding = false;
                    break;
                case UploadPartRequest part:
                    part.UseChunkEncoding = false;
                    break;
            }
        }
    }

    /// <summary>
    /// SDK v4 sends <c>x-amz-copy-source: bucket%2Fkey</c>; s3rver decodes it with decodeURI(), which keeps %2F.
    /// Runs after marshalling and before signing.
    /// </summary>
    private sealed class CopySourceSlashHandler : PipelineHandler
    {
        public override void InvokeSync(IExecutionContext executionContext)
        {
            Apply(executionContext);
            base.InvokeSync(executionContext);
        }

        public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            Apply(executionContext);
            return base.InvokeAsync<T>(executionContext);
        }

        private static void Apply(IExecutionContext context)
        {
            var headers = context.RequestContext.Request?.Headers;
            if (headers is not null && headers.TryGetValue("x-amz-copy-source", out var source))
            {
                headers["x-amz-copy-source"] = source.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
