using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;

namespace FastScore.Streams.S3.Tests.Support;

/// <summary>An <see cref="AmazonS3Client"/> that keeps every request object it sends, to check how requests are built.</summary>
internal sealed class RecordingS3Client(AWSCredentials credentials, AmazonS3Config config, ConcurrentQueue<AmazonWebServiceRequest> requests)
    : AmazonS3Client(credentials, config)
{
    /// <summary>Gets the requests sent so far, in order.</summary>
    public ConcurrentQueue<AmazonWebServiceRequest> Requests { get; } = requests;

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.AddHandlerBefore<Marshaller>(new Recorder(Requests));
    }

    private sealed class Recorder(ConcurrentQueue<AmazonWebServiceRequest> requests) : PipelineHandler
    {
        public override void InvokeSync(IExecutionContext executionContext)
        {
            requests.Enqueue(executionContext.RequestContext.OriginalRequest);
            base.InvokeSync(executionContext);
        }

        public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            requests.Enqueue(executionContext.RequestContext.OriginalRequest);
            return base.InvokeAsync<T>(executionContext);
        }
    }
}
