using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FastScore.Streams.S3.Tests.Support;

/// <summary>
/// A TCP proxy in front of the S3 test server that drops connections: each connection takes the next budget from
/// <see cref="Cuts"/> (bytes it may carry from the server to the client) and is reset once it has carried them.
/// Connections without a budget are passed through untouched. <see cref="Down"/> makes an outage: every open
/// connection is reset and new ones are reset at once, until <see cref="Up"/>.
/// </summary>
internal sealed class FlakyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _open = [];
    private readonly Task _accepting;
    private int _connections;
    private int _cut;
    private long _bytesUp;
    private volatile bool _down;
    private CancellationTokenSource _outage = new();

    public FlakyProxy(string upstreamUrl)
    {
        _upstream = new Uri(upstreamUrl);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Gets the proxy's endpoint, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Gets the budgets of the next connections (bytes from server to client before the reset); -1 means "every connection".</summary>
    public ConcurrentQueue<long> Cuts { get; } = new();

    /// <summary>Gets or sets a budget applied to every connection when <see cref="Cuts"/> is empty, or null.</summary>
    public long? CutEveryConnectionAfter { get; set; }

    public int Connections => _connections;

    public int ConnectionsCut => _cut;

    /// <summary>Gets how many bytes went from clients to the server (requests and uploaded bodies).</summary>
    public long BytesUp => Interlocked.Read(ref _bytesUp);

    /// <summary>Gets how many connections were refused (reset at once) during outages.</summary>
    public int ConnectionsRefused => _refused;

    private int _refused;

    /// <summary>Starts an outage: open connections are reset, new ones are reset at once.</summary>
    public void Down()
    {
        _down = true;
        _outage.Cancel();
    }

    /// <summary>Ends the outage.</summary>
    public void Up()
    {
        _outage = new CancellationTokenSource();
        _down = false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (TcpClient client in _open)
        {
            client.Dispose();
        }

        try
        {
            await _accepting;
        }
        catch (Exception)
        {
            // stopped
        }

        _stop.Dispose();
        _outage.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            if (_down)
            {
                Interlocked.Increment(ref _refused);
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            long? budget = Cuts.TryDequeue(out long b) ? b : CutEveryConnectionAfter;
            _ = Task.Run(() => RelayAsync(client, budget));
        }
    }

    private async Task RelayAsync(TcpClient client, long? budget)
    {
        using var upstream = new TcpClient();
        _open.Add(client);
        _open.Add(upstream);
        try
        {
            await upstream.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _outage.Token);
            Task up = CopyAsync(client.GetStream(), upstream.GetStream(), null, cts.Token, counter: true);
            Task<bool> down = CopyAsync(upstream.GetStream(), client.GetStream(), budget, cts.Token);
            await Task.WhenAny(up, down);
            if (down.IsCompletedSuccessfully && budget is not null && down.Result)
            {
                Interlocked.Increment(ref _cut);
            }

            await cts.CancelAsync();
        }
        catch (Exception)
        {
            // a dropped connection is the point
        }
        finally
        {
            client.Client.LingerState = new LingerOption(true, 0); // reset, not a clean close
            client.Dispose();
        }
    }

    private async Task<bool> CopyAsync(NetworkStream from, NetworkStream to, long? budget, CancellationToken cancellationToken, bool counter = false)
    {
        var buffer = new byte[16 * 1024];
        long left = budget ?? long.MaxValue;
        while (left > 0)
        {
            int n = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            await to.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            left -= n;
            if (counter)
            {
                Interlocked.Add(ref _bytesUp, n);
            }
        }

        return true; // budget spent: the caller resets the connection
    }
}
