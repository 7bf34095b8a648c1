using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FastScore.Streams.S3.Tests.Support;

/// <summary>
/// A TCP proxy in front of the S3 test server that drops connections: each connection takes the next budget from
/// <see cref="Cuts"/> (bytes it may carry from the server to the client) and is reset once it has carried them.
/// Connections without a budget are passed through untouched.
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
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            Task up = CopyAsync(client.GetStream(), upstream.GetStream(), null, cts.Token);
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

    private static async Task<bool> CopyAsync(NetworkStream from, NetworkStream to, long? budget, CancellationToken cancellationToken)
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
        }

        return true; // budget spent: the caller resets the connection
    }
}
