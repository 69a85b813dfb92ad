using System.Globalization;
using System.Text;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Streams;

/// <summary>Reading a whole stream across reshards: every record exactly once, each partition key in write order.</summary>
public class StreamFollowerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private static string Payload(string key, int counter) => string.Create(CultureInfo.InvariantCulture, $"{key}/{counter}");

    /// <summary>Reads until <paramref name="total"/> records are in; checks exactly-once and per-key order.</summary>
    private static async Task<int> FollowAsync(DataStream stream, int total, CancellationToken token)
    {
        var seen = new HashSet<string>();
        var lastPerKey = new Dictionary<string, int>();
        await foreach (RecordBatch batch in stream.ReadStreamAsync(ShardPosition.TrimHorizon, token))
        {
            foreach (StreamRecord record in batch)
            {
                string payload = Encoding.UTF8.GetString(record.Data.Span);
                Assert.True(seen.Add(payload), $"{payload} was read twice");
                int slash = payload.LastIndexOf('/');
                string key = payload[..slash];
                int counter = int.Parse(payload.AsSpan(slash + 1), CultureInfo.InvariantCulture);
                Assert.True(!lastPerKey.TryGetValue(key, out int last) || counter > last, $"{key}: {counter} after {last}");
                lastPerKey[key] = counter;
            }

            if (seen.Count == total)
            {
                return seen.Count;
            }
        }

        return seen.Count;
    }

    [Fact]
    public async Task Follows_splits_and_merges_in_order()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        var counters = new Dictionary<string, int>();
        string[] keys = [.. Enumerable.Range(0, 30).Select(i => "key-" + i)];
        int total = 0;
        void Write(int n)
        {
            for (int i = 0; i < n; i++)
            {
                string key = keys[i % keys.Length];
                int c = counters.GetValueOrDefault(key);
                counters[key] = c + 1;
                stream.Append(key, Encoding.UTF8.GetBytes(Payload(key, c)));
                total++;
            }
        }

        Write(100);
        stream.SplitShard(new ShardId(0), UInt128.MaxValue / 8);
        Write(100);
        stream.MergeShards(new ShardId(3), new ShardId(1));
        Write(100);
        stream.UpdateShardCount(4);
        Write(100);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        Assert.Equal(total, await FollowAsync(stream, total, cts.Token));
    }

    [Fact]
    public async Task Producers_and_a_follower_while_reshards_happen_lose_and_reorder_nothing()
    {
        using var t = new TestEngine(o => o.ShardLimit = 10_000);
        DataStream stream = t.Engine.CreateStream("s", 2);
        CancellationToken token = TestContext.Current.CancellationToken;
        const int producers = 3, perProducer = 20_000;
        int total = producers * perProducer;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        cts.CancelAfter(Timeout);

        Task<int>[] followers = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(() => FollowAsync(stream, total, cts.Token), token))];
        using var writing = new CancellationTokenSource();
        // Writers pause halfway until the first reshard, so a reshard always falls inside the writing (a fast data
        // plane could otherwise finish every write before the reshaper's task is scheduled).
        var firstReshard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task reshaper = Task.Run(
            () =>
            {
                var random = new Random(7);
                int done = 0;
                while (!writing.IsCancellationRequested && done < 40)
                {
                    ShardInfo[] open = [.. stream.Shards.Where(s => s.IsOpen).OrderBy(s => s.HashKeyRange.StartingHashKey)];
                    if (open.Length < 6 || random.Next(2) == 0)
                    {
                        ShardInfo victim = open[random.Next(open.Length)];
                        UInt128 mid = victim.HashKeyRange.StartingHashKey + ((victim.HashKeyRange.EndingHashKey - victim.HashKeyRange.StartingHashKey) / 2);
                        stream.SplitShard(victim.ShardId, mid);
                    }
                    else
                    {
                        int i = random.Next(open.Length - 1);
                        stream.MergeShards(open[i].ShardId, open[i + 1].ShardId);
                    }

                    done++;
                    firstReshard.TrySetResult();
                    Thread.Yield();
                }
            },
            token);
        Task[] writers = [.. Enumerable.Range(0, producers).Select(p => Task.Run(
            () =>
            {
                for (int i = 0; i < perProducer; i++)
                {
                    if (i == perProducer / 2)
                    {
                        firstReshard.Task.Wait(Timeout, token);
                    }

                    string key = string.Create(CultureInfo.InvariantCulture, $"p{p}-k{i % 23}");
                    stream.Append(key, Encoding.UTF8.GetBytes(Payload(key, i)));
                }
            },
            token))];
        await Task.WhenAll(writers).WaitAsync(Timeout, token);
        await writing.CancelAsync();
        await reshaper.WaitAsync(Timeout, token);

        int[] seen = await Task.WhenAll(followers).WaitAsync(Timeout, token);
        Assert.All(seen, count => Assert.Equal(total, count));
        Assert.True(stream.Shards.Any(s => !s.IsOpen), "reshards happened while writing");
    }

    [Fact]
    public async Task On_demand_streams_grow_under_load_without_losing_or_reordering_records()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("od", StreamCapacityMode.OnDemand);
        Assert.Equal(4, stream.Shards.Count(s => s.IsOpen));
        byte[] filler = new byte[1000];
        int total = 0;
        var counters = new int[256];

        // 8 MiB/s of 1 KB records over 256 keys for ten simulated seconds; the scaler samples every second.
        for (int second = 0; second < 10; second++)
        {
            for (int i = 0; i < 8 * 1024; i++)
            {
                int k = i % counters.Length;
                string key = "key-" + k;
                byte[] payload = Encoding.UTF8.GetBytes(Payload(key, counters[k]++));
                stream.Append(key, [.. payload, .. filler.AsSpan(0, 1000 - payload.Length)]);
                total++;
            }

            t.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Headroom for double the ~8.2 MB/s peak at 1 MiB/s per shard: at least 16 open shards.
        int open = stream.Shards.Count(s => s.IsOpen);
        Assert.True(open >= 16, $"{open} open shards");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Timeout);
        var seen = new HashSet<(string Key, int Counter)>(); // exact identities: a 32-bit hash could collide and hide a duplicate
        var last = new Dictionary<string, int>();
        await foreach (RecordBatch batch in stream.ReadStreamAsync(ShardPosition.TrimHorizon, cts.Token))
        {
            foreach (StreamRecord record in batch)
            {
                string text = Encoding.UTF8.GetString(record.Data.Span).TrimEnd('\0');
                int slash = text.LastIndexOf('/');
                string key = text[..slash];
                int c = int.Parse(text.AsSpan(slash + 1), CultureInfo.InvariantCulture);
                int expected = last.TryGetValue(key, out int previous) ? previous + 1 : 0;
                Assert.True(c == expected, $"{key}: {c} where {expected} was next");
                last[key] = c;
                Assert.True(seen.Add((key, c)), $"{key}/{c} was read twice");
            }

            if (seen.Count == total)
            {
                break;
            }
        }

        Assert.Equal(total, seen.Count);
        Assert.Equal(Enumerable.Range(0, counters.Length).Select(k => ("key-" + k, counters[k] - 1)), Enumerable.Range(0, counters.Length).Select(k => ("key-" + k, last["key-" + k])));
    }
}
