using StreamCore.Aggregation;
using StreamCore.Connectors;
using StreamCore.Kinesis;
using StreamCore.Producing;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Producing;

/// <summary>A stored user record as a de-aggregating reader sees it.</summary>
public sealed record StoredUserRecord(string ShardId, string SequenceNumber, long SubSequenceNumber, string PartitionKey, string Data);

/// <summary>Reads every shard with GetRecords and de-aggregates with each shard's range, as the KCL does.</summary>
public static class StreamContents
{
    public static async Task<List<StoredUserRecord>> ReadAllAsync(TestEngine t, string stream, RecordDeaggregator? deaggregator = null)
    {
        deaggregator ??= new RecordDeaggregator();
        var all = new List<StoredUserRecord>();
        ListShardsResponse shards = await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = stream });
        foreach (Shard shard in shards.Shards)
        {
            var range = new HashKeyRange(UInt128.Parse(shard.HashKeyRange!.StartingHashKey!), UInt128.Parse(shard.HashKeyRange.EndingHashKey!));
            string iterator = await t.IteratorAsync(stream, shard.ShardId!, ShardIteratorType.TRIM_HORIZON);
            while (true)
            {
                GetRecordsResponse page = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
                foreach (StreamCore.Kinesis.Record record in page.Records)
                {
                    foreach (DeaggregatedRecord user in deaggregator.Deaggregate(record, range))
                    {
                        all.Add(new StoredUserRecord(shard.ShardId!, record.SequenceNumber!, user.SubSequenceNumber, user.PartitionKey, System.Text.Encoding.UTF8.GetString(user.Data.Span)));
                    }
                }

                if (page.Records.Count == 0 || page.NextShardIterator is null)
                {
                    break;
                }

                iterator = page.NextShardIterator;
            }
        }

        return all;
    }

    public static ReadOnlyMemory<byte> Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    /// <summary>Advances the fake clock in steps until the task completes (retries and deadlines run on it).</summary>
    public static async Task<T> RunAsync<T>(TestEngine t, Task<T> task, TimeSpan? step = null, int maxSteps = 10_000)
    {
        for (int i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            await Task.Yield();
            if (!task.IsCompleted)
            {
                t.Clock.Advance(step ?? TimeSpan.FromMilliseconds(50));
            }
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public static Task RunAsync(TestEngine t, Task task, TimeSpan? step = null) =>
        RunAsync(t, task.ContinueWith(static x => { x.GetAwaiter().GetResult(); return 0; }, TaskScheduler.Default), step);
}

/// <summary>A sink that records what it is asked to write and fails nothing.</summary>
internal sealed class CapturingSink(int shardCount = 1) : RecordSink
{
    public List<SinkRecord[]> Calls { get; } = [];

    public override string StreamName => "captured";

    public override Task<SinkStreamDescription> DescribeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new SinkStreamDescription([.. StreamCore.Hashing.ShardLayout.Uniform(shardCount).Select((r, i) => new SinkShard(new ShardId(i), r, true))], 1024));

    public override ValueTask PutRecordsAsync(ReadOnlyMemory<SinkRecord> records, Memory<SinkResult> results, CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            // Copy the data: the producer returns its buffers to the pool once the call completes.
            Calls.Add([.. records.ToArray().Select(r => r with { Data = r.Data.ToArray() })]);
        }

        Span<SinkResult> span = results.Span;
        HashKeyRange[] ranges = StreamCore.Hashing.ShardLayout.Uniform(shardCount);
        for (int i = 0; i < span.Length; i++)
        {
            SinkRecord record = records.Span[i];
            UInt128 hashKey = record.ExplicitHashKey ?? StreamCore.Hashing.PartitionKeyHash.Hash(record.PartitionKey);
            span[i] = new SinkResult { ShardId = new ShardId(Array.FindIndex(ranges, r => r.Contains(hashKey))), SequenceNumber = default };
        }

        return ValueTask.CompletedTask;
    }
}
