using System.Net;
using System.Net.Sockets;
using System.Text;
using FastScore.Streams.Descriptors;
using static FastScore.Streams.Tests.Transports.Network.NetworkTestSupport;

namespace FastScore.Streams.Tests.Transports.Network;

/// <summary>The tcp, udp and exec transports as registered providers: descriptors in, records out of a real stream.</summary>
public sealed class ProviderStreamTests
{
    private static async Task<List<string>> ReadAsync(string json, int count, Func<Task>? feed = null)
    {
        CancellationToken guard = Guard();
        await using InputStream input = new StreamFactory().CreateInput(StreamDescriptor.Parse(json));
        Task feeding = feed is null ? Task.CompletedTask : Task.Run(async () =>
        {
            await Task.Delay(200, guard); // the stream opens its socket first
            await feed();
        }, guard);
        var values = new List<string>();
        await foreach (byte[] record in input.ReadAllAsync<byte[]>(guard))
        {
            values.Add(Encoding.UTF8.GetString(record));
            if (values.Count == count)
            {
                break;
            }
        }

        await feeding;
        return values;
    }

    [Test]
    public async Task An_exec_descriptor_streams_the_childs_stdout_as_json_records()
    {
        List<string> values = await ReadAsync("""{"Transport": {"Type": "exec", "Run": "printf", "Args": ["{\"a\": %s}\n", "1", "2", "3"]}, "Envelope": "delimited", "Encoding": "json"}""", 10);
        Assert.That(values, Is.EqualTo(new[] { "{\"a\": 1}", "{\"a\": 2}", "{\"a\": 3}" }));
    }

    [Test]
    public async Task A_tcp_descriptor_with_host_0_0_0_0_listens_and_frames_its_clients_records()
    {
        int port = FreePort();
        List<string> values = await ReadAsync($$"""{"Transport": {"Type": "TCP", "Host": "0.0.0.0", "Port": {{port}}}, "Envelope": "delimited", "Encoding": "json"}""", 2, async () =>
        {
            using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(IPAddress.Loopback, port);
            await SendAsync(client, "{\"x\": 1}\n{\"x\": 2}\n");
        });
        Assert.That(values, Is.EqualTo(new[] { "{\"x\": 1}", "{\"x\": 2}" }));
    }

    [Test]
    public async Task A_udp_descriptor_makes_each_datagram_a_record()
    {
        int port = FreePort();
        List<string> values = await ReadAsync($$"""{"Transport": {"Type": "UDP", "Bind": "127.0.0.1", "Port": {{port}}}, "Encoding": "json"}""", 2, async () =>
        {
            using var sender = new UdpClient();
            await sender.SendAsync(Encoding.UTF8.GetBytes("{\"u\": 1}"), new IPEndPoint(IPAddress.Loopback, port));
            await sender.SendAsync(Encoding.UTF8.GetBytes("{\"u\": 2}"), new IPEndPoint(IPAddress.Loopback, port));
        });
        Assert.That(values, Is.EqualTo(new[] { "{\"u\": 1}", "{\"u\": 2}" }));
    }

    [Test]
    public void A_missing_executable_fails_the_stream_naming_it_and_Run()
    {
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () =>
            await ReadAsync("""{"Transport": {"Type": "exec", "Run": "no-such-program-fss"}, "Encoding": "json"}""", 1));
        Assert.That(error!.Message, Does.Contain("exec cannot start 'no-such-program-fss' (Transport.Run)"));
    }
}
