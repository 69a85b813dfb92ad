using System.Buffers.Binary;
using StreamCore.Kinesis;
using StreamCore.Storage;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Storage;

/// <summary>
/// Producers write into a tiny memory cap under TrimOldest, so storage is recycled constantly, while readers on both
/// faces read. Readers may lose records to trimming (that is the policy), but every record they do see must be
/// intact: a reader that touched recycled storage would see a payload that fails its check.
/// </summary>
public class RecyclingStressTests
{
    private const int PayloadLength = 64;

    private static byte[] Payload(int producer, long counter)
    {
        var bytes = new byte[PayloadLength];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, producer);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(4), counter);
        for (int i = 12; i < PayloadLength; i++)
        {
            bytes[i] = (byte)(counter * 31 + producer + i);
        }

        return bytes;
    }

    private static bool Intact(ReadOnlySpan<byte> data, out int producer, out long counter)
    {
        producer = BinaryPrimitives.ReadInt32LittleEndian(data);
        counter = BinaryPrimitives.ReadInt64LittleEndian(data[4..]);
        if (data.Length != PayloadLength)
        {
            return false;
        }

        for (int i = 12; i < PayloadLength; i++)
        {
            if (data[i] != (byte)(counter * 31 + producer + i))
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public async Task Readers_never_see_recycled_storage()
    {
        using var t = new TestEngine(o =>
        {
            o.MaxRetainedBytes = 512 * 1024;
            o.MemoryLimitPolicy = MemoryLimitPolicy.TrimOldest;
            o.SegmentRecordCapacity = 256;
            o.SegmentArenaBytes = 32 * 1024;
        });
        DataStream stream = t.Engine.CreateStream("s", 1);
        const int producers = 2;
        const int perProducer = 150_000;
        CancellationToken token = TestContext.Current.CancellationToken;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        int corrupt = 0;
        long seen = 0;

        Task[] busReaders = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(
            async () =>
            {
                var last = new long[producers];
                Array.Fill(last, -1);
                try
                {
                    await foreach (RecordBatch batch in stream.ReadAsync(new ShardId(0), ShardPosition.TrimHorizon, stop.Token))
                    {
                        foreach (StreamRecord record in batch)
                        {
                            if (!Intact(record.Data.Span, out int p, out long c) || c <= last[p])
                            {
                                Interlocked.Increment(ref corrupt);
                                continue;
                            }

                            last[p] = c;
                            Interlocked.Increment(ref seen);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            },
            token))];

        Task kinesisReader = Task.Run(
            async () =>
            {
                string? iterator = (await t.Client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "s", ShardId = "0", ShardIteratorType = ShardIteratorType.TRIM_HORIZON }, token)).ShardIterator;
                while (!stop.IsCancellationRequested)
                {
                    GetRecordsResponse r = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = 500 }, token);
                    foreach (StreamCore.Kinesis.Record record in r.Records)
                    {
                        if (!Intact(record.Data!.ToArray(), out _, out _))
                        {
                            Interlocked.Increment(ref corrupt);
                        }
                    }

                    iterator = r.NextShardIterator;
                    await Task.Yield();
                }
            },
            token);

        Task[] writers = [.. Enumerable.Range(0, producers).Select(p => Task.Run(
            () =>
            {
                for (long c = 0; c < perProducer; c++)
                {
                    stream.Append("p" + p, UInt128.Zero, Payload(p, c));
                }
            },
            token))];
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(3), token);
        await stop.CancelAsync();
        await Task.WhenAll([.. busReaders, kinesisReader]).WaitAsync(TimeSpan.FromMinutes(1), token);

        Assert.Equal(0, Volatile.Read(ref corrupt));
        Assert.True(t.Engine.Budget.RecycledSegments > 100, $"only {t.Engine.Budget.RecycledSegments} segments were recycled");
        Assert.True(Volatile.Read(ref seen) > 0);
        Assert.True(t.Engine.RetainedBytes <= 512 * 1024 + (64 * 1024), $"retained {t.Engine.RetainedBytes} limbo {t.Engine.Budget.LimboBytes} pooled {t.Engine.Budget.PooledBytes}");
    }
}
