using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using StreamCore.Analytics;

namespace StreamCore.Benchmarks;

/// <summary>
/// Issue 16's scenario: a keyed tumbling count over in-order events with 10,000 random keys (one-second windows, 1,000
/// events a millisecond: ten windows over 10 M events, about 100 events per key and window). StreamCore's push processor
/// next to a hand-written Dictionary aggregation (the baseline) and System.Reactive's GroupBy + Buffer, whose buffers
/// close on a boundary the driver signals when event time crosses a window end (Rx has no event time of its own).
/// Each op aggregates every event and consumes every result (a checksum), so the three do the same work.
/// </summary>
[MemoryDiagnoser]
public class WindowBenchmarks
{
    private const int Keys = 10_000;
    private const long WindowMs = 1_000;
    private Event[] _events = [];
    private WindowQuery<Event, int, long> _query = null!;

    [Params(10_000_000)]
    public int Events { get; set; }

    public readonly record struct Event(int Key, long Time);

    [GlobalSetup]
    public void Setup()
    {
        int n = Scale.Records(Events);
        var random = new Random(42);
        _events = new Event[n];
        for (int i = 0; i < n; i++)
        {
            _events[i] = new Event(random.Next(Keys), i / 1_000);
        }

        _query = WindowQuery.Of<Event>().WithEventTime(static e => e.Time).KeyBy(static e => e.Key)
            .Window(WindowAssigner.Tumbling(TimeSpan.FromMilliseconds(WindowMs))).Aggregate(Aggregators.Count<Event>());
    }

    [Benchmark(Baseline = true)]
    public long HandWrittenDictionary()
    {
        var counts = new Dictionary<int, long>(Keys);
        long checksum = 0;
        long window = long.MinValue;
        foreach (Event e in _events)
        {
            long start = e.Time - (e.Time % WindowMs);
            if (start != window)
            {
                checksum += Flush(counts);
                window = start;
            }

            CollectionsMarshal.GetValueRefOrAddDefault(counts, e.Key, out _)++;
        }

        return checksum + Flush(counts);

        static long Flush(Dictionary<int, long> counts)
        {
            long sum = 0;
            foreach (KeyValuePair<int, long> count in counts)
            {
                sum += count.Value ^ count.Key;
            }

            counts.Clear();
            return sum;
        }
    }

    [Benchmark]
    public long StreamCoreTumblingCount()
    {
        WindowProcessor<Event, int, long> processor = _query.CreateProcessor();
        long checksum = 0;
        ReadOnlySpan<Event> events = _events;
        for (int i = 0; i < events.Length; i += 4_096)
        {
            processor.Add(events.Slice(i, Math.Min(4_096, events.Length - i)));
            while (processor.TryRead(out WindowResult<int, long> result))
            {
                checksum += result.Value ^ result.Key;
            }
        }

        processor.Complete();
        while (processor.TryRead(out WindowResult<int, long> result))
        {
            checksum += result.Value ^ result.Key;
        }

        return checksum;
    }

    [Benchmark]
    public long ReactiveGroupByBuffer()
    {
        long checksum = 0;
        using var source = new Subject<Event>();
        using var boundary = new Subject<System.Reactive.Unit>();
        using IDisposable subscription = source.GroupBy(e => e.Key)
            .SelectMany(group => group.Buffer(boundary).Where(b => b.Count > 0).Select(b => (group.Key, (long)b.Count)))
            .Subscribe(r => checksum += r.Item2 ^ r.Key);
        long window = long.MinValue;
        foreach (Event e in _events)
        {
            long start = e.Time - (e.Time % WindowMs);
            if (start != window)
            {
                boundary.OnNext(System.Reactive.Unit.Default);
                window = start;
            }

            source.OnNext(e);
        }

        boundary.OnNext(System.Reactive.Unit.Default);
        source.OnCompleted();
        return checksum;
    }
}
