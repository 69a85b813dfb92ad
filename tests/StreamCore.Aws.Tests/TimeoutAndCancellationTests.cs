using System.Net;
using System.Net.Sockets;
using StreamCore.Aws.Kinesis;
using StreamCore.Aws.Tests.Support;
using StreamCore.Kinesis;

namespace StreamCore.Aws.Tests;

/// <summary>Every call honours its timeout (per attempt) and its cancellation token, against a server that never answers.</summary>
public sealed class TimeoutAndCancellationTests : IDisposable
{
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _accepted = [];

    public TimeoutAndCancellationTests()
    {
        _silent.Start();
        _ = AcceptForeverAsync();
    }

    private Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_silent.LocalEndpoint).Port}/");

    private async Task AcceptForeverAsync()
    {
        try
        {
            while (true)
            {
                TcpClient client = await _silent.AcceptTcpClientAsync();
                lock (_accepted)
                {
                    _accepted.Add(client); // read nothing, answer nothing
                }
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
        }
    }

    public void Dispose()
    {
        _silent.Stop();
        lock (_accepted)
        {
            _accepted.ForEach(c => c.Dispose());
        }
    }

    private RemoteKinesisClient Client(Action<RemoteKinesisClientOptions> configure, out CountingHandler counter)
    {
        var options = new RemoteKinesisClientOptions { ServiceUrl = Url, Region = "us-east-1", Credentials = ServerFixture.TestCredentials, RetryBaseDelay = TimeSpan.FromMilliseconds(1) };
        configure(options);
        CountingHandler? c = null;
        var client = new RemoteKinesisClient(options, inner => c = new CountingHandler(inner));
        counter = c!;
        return client;
    }

    [Fact]
    public async Task A_call_that_gets_no_answer_times_out_per_attempt_and_is_retried()
    {
        using RemoteKinesisClient client = Client(o => o.Timeout = TimeSpan.FromMilliseconds(200), out CountingHandler counter);
        TimeoutException e = await Assert.ThrowsAsync<TimeoutException>(() => client.ListStreamsAsync(new ListStreamsRequest()));
        Assert.Contains("ListStreams", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, counter.Attempts);
        Assert.Equal(500 - (2 * 10), client.RetryQuota); // a timeout retry costs 10 tokens
    }

    [Fact]
    public async Task Cancellation_ends_a_call_at_once_without_retrying()
    {
        using RemoteKinesisClient client = Client(o => o.Timeout = TimeSpan.FromMinutes(5), out CountingHandler counter);
        using var cancel = new CancellationTokenSource();
        Task call = client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new MemoryStream([1]) }, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(counter.Attempts <= 1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SubscribeToShardAsync(new SubscribeToShardRequest { ConsumerARN = "arn", ShardId = "0" }, cancel.Token));
    }
}
