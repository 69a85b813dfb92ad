using Microsoft.Extensions.Time.Testing;
using StreamCore.Kinesis;

namespace StreamCore.Tests.Support;

/// <summary>An engine on a fake clock, with its Kinesis client; one per test.</summary>
public sealed class TestEngine : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public TestEngine(Action<StreamEngineOptions>? configure = null)
    {
        Clock = new FakeTimeProvider(Start);
        var options = new StreamEngineOptions { TimeProvider = Clock };
        configure?.Invoke(options);
        Engine = new StreamEngine(options);
        Client = Engine.CreateKinesisClient();
    }

    public FakeTimeProvider Clock { get; }

    public StreamEngine Engine { get; }

    public IKinesisClient Client { get; }

    public static MemoryStream Bytes(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    public static string Text(MemoryStream? stream) => System.Text.Encoding.UTF8.GetString(stream!.ToArray());

    public async Task CreateAsync(string name, int shards)
    {
        await Client.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = shards });
    }

    public async Task<string> IteratorAsync(string stream, string shardId, ShardIteratorType type, string? sequenceNumber = null, DateTime? timestamp = null)
    {
        GetShardIteratorResponse response = await Client.GetShardIteratorAsync(new GetShardIteratorRequest
        {
            StreamName = stream,
            ShardId = shardId,
            ShardIteratorType = type,
            StartingSequenceNumber = sequenceNumber,
            Timestamp = timestamp,
        });
        return response.ShardIterator!;
    }

    /// <summary>Follows NextShardIterator until a call returns nothing; returns every record's data as text.</summary>
    public async Task<List<string>> DrainAsync(string iterator, int limit = 10_000)
    {
        var texts = new List<string>();
        while (true)
        {
            GetRecordsResponse response = await Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = limit });
            texts.AddRange(response.Records.Select(r => Text(r.Data)));
            if (response.Records.Count == 0 || response.NextShardIterator is null)
            {
                return texts;
            }

            iterator = response.NextShardIterator;
        }
    }

    public void Dispose() => Engine.Dispose();
}
