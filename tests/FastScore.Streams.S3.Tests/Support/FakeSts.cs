using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastScore.Streams.S3.Tests.Support;

/// <summary>A fake STS endpoint answering every AssumeRoleWithSAML with fixed credentials; it records the request bodies.</summary>
internal sealed class FakeSts : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public FakeSts(string accessKeyId, string secretAccessKey)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = ServeAsync(accessKeyId, secretAccessKey);
    }

    public string Url { get; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // stopped
        }
    }

    private async Task ServeAsync(string accessKeyId, string secretAccessKey)
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                Requests.Enqueue(WebUtility.UrlDecode(await reader.ReadToEndAsync()));
            }

            byte[] body = Encoding.UTF8.GetBytes($"""
                <AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleWithSAMLResult>
                    <Credentials>
                      <AccessKeyId>{accessKeyId}</AccessKeyId>
                      <SecretAccessKey>{secretAccessKey}</SecretAccessKey>
                      <SessionToken>fake-session-token</SessionToken>
                      <Expiration>{DateTime.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}</Expiration>
                    </Credentials>
                    <AssumedRoleUser>
                      <Arn>arn:aws:sts::123456789012:assumed-role/scoring/alice</Arn>
                      <AssumedRoleId>AROAEXAMPLE:alice</AssumedRoleId>
                    </AssumedRoleUser>
                    <Subject>alice</Subject>
                  </AssumeRoleWithSAMLResult>
                  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000001</RequestId></ResponseMetadata>
                </AssumeRoleWithSAMLResponse>
                """);
            context.Response.ContentType = "text/xml";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }
}
