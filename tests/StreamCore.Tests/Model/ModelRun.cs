using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Storage;

namespace StreamCore.Tests.Model;

/// <summary>
/// Runs a <see cref="Scenario"/> against a real engine and the reference model side by side, and checks after every
/// step that they agree. Throws <see cref="ModelViolationException"/> at the first difference, with the steps that led there.
/// </summary>
internal sealed class ModelRun : IDisposable
{
    /// <summary>Bytes one storage segment charges: 256 descriptors of 24 bytes and a 32 KiB arena.</summary>
    public const long SegmentCharge = (256 * 24) + (32 * 1024);

    private const long IteratorValidityMs = 300_000;
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Names = ["s0", "s1", "s2"];
    private static readonly TimeSpan[] SweepIntervals = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(7)];

    // Odd amounts, so sums rarely land exactly on the iterator's five minutes or the retention's hours.
    private static readonly long[] Advances = [1, 1_500, 47_000, 253_000, 301_000, 421_000, 3_600_001, 11 * 3_600_000L, (24 * 3_600_000L) - 60_001, 25 * 3_600_000L];
    private static readonly int[] PayloadSizes = [8, 40, 200, 1_200, 3_000, 4_000];
    private static readonly int[] BatchSizes = [1, 2, 3, 5, 16, 10_000];
    private static readonly int[] Limits = [1, 2, 5, 100, 10_000];

    private readonly Scenario _scenario;
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly StreamEngine _engine;
    private readonly IKinesisClient _kinesis;
    private readonly long? _cap;
    private readonly long _sweepIntervalMs;
    private readonly List<MStream> _streams = [];
    private readonly List<MReader> _readers = [];
    private readonly List<MHeld> _held = [];
    private readonly List<MIterator> _iterators = [];
    private readonly List<MFollower> _followers = [];
    private readonly Dictionary<(int Stream, int Counter), MRecord> _written = [];
    private readonly List<string> _log = [];
    private long _nextSweepMs;
    private int _counter;
    private int _incarnations;
    private int _readerIds;

    public ModelRun(Scenario scenario, bool checkStaleBatches)
    {
        _scenario = scenario;
        CheckStaleBatches = checkStaleBatches;
        TimeSpan sweep = SweepIntervals[scenario.SweepChoice % SweepIntervals.Length];
        _sweepIntervalMs = (long)sweep.TotalMilliseconds;
        _nextSweepMs = Now + _sweepIntervalMs;
        _cap = scenario.Memory == MemoryMode.Unbounded ? null : scenario.CapSegments * SegmentCharge;
        _engine = new StreamEngine(new StreamEngineOptions
        {
            TimeProvider = _clock,
            SegmentRecordCapacity = 256,
            SegmentArenaBytes = 32 * 1024,
            RetentionSweepInterval = sweep,
            OnDemandScaling = new OnDemandScalingOptions { SampleInterval = TimeSpan.FromHours(1) }, // no on-demand streams here; spares the fake clock 86,400 timer callbacks a day
            MaxRetainedBytes = _cap,
            MemoryLimitPolicy = scenario.Memory == MemoryMode.TrimOldest ? MemoryLimitPolicy.TrimOldest : MemoryLimitPolicy.RejectWrites,
        });
        _kinesis = _engine.CreateKinesisClient();
    }

    /// <summary>Whether a batch used after its reader moved on must throw (the RecordBatch lifetime contract).</summary>
    public bool CheckStaleBatches { get; }

    /// <summary>Steps run, for the run counts.</summary>
    public int Steps { get; private set; }

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private bool TrimOldest => _scenario.Memory == MemoryMode.TrimOldest;

    public static void Execute(Scenario scenario, bool checkStaleBatches)
    {
        using var run = new ModelRun(scenario, checkStaleBatches);
        run.Run();
    }

    public void Run()
    {
        try
        {
            Step("setup", () => CreateStream(new Op(OpKind.CreateStream, 0, _scenario.InitialShards - 1, 0)));
            foreach (Op op in _scenario.Ops)
            {
                Step(op.ToString(), () => Apply(op));
            }

            Step("teardown", Teardown);
        }
        catch (Exception e) when (e is not ModelViolationException)
        {
            throw new ModelViolationException($"Unexpected {e.GetType().Name} at step {Steps}: {e.Message}\n{History()}\n{e}");
        }
    }

    private void Step(string name, Action action)
    {
        Steps++;
        _log.Add(name);
        try
        {
            action();
            CheckInvariants();
        }
        catch (ModelViolationException v)
        {
            throw new ModelViolationException($"{v.Message}\n  at step {Steps} ({name}) of {_scenario}\n{History()}");
        }
    }

    private string History() => "  steps: " + string.Join(" ; ", _log.TakeLast(40)) + "\n  streams: " + string.Join(", ", _streams);

    private static ModelViolationException Fail(string message) => new(message);

    // For exploring past a known fault on old code: STREAMCORE_MODEL_TOLERATE=retained,wait-ended skips those checks.
    private static readonly string[] Tolerated = (Environment.GetEnvironmentVariable("STREAMCORE_MODEL_TOLERATE") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static bool Tolerates(string check) => Tolerated.Contains(check, StringComparer.Ordinal);

    /// <summary>How often each interesting event happened, over all runs in the process (for the test's summary line).</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Events = new(StringComparer.Ordinal);

    private static void Count(string name) => Events.AddOrUpdate(name, 1, static (_, n) => n + 1);

    private void Apply(Op op)
    {
        switch (op.Kind)
        {
            case OpKind.CreateStream: CreateStream(op); break;
            case OpKind.DeleteStream: DeleteStream(op); break;
            case OpKind.Append: Append(op, explicitHashKey: false); break;
            case OpKind.AppendExplicitHashKey: Append(op, explicitHashKey: true); break;
            case OpKind.AppendBurst: AppendBurst(op); break;
            case OpKind.PutRecord: PutRecord(op); break;
            case OpKind.PutRecords: PutRecords(op); break;
            case OpKind.SplitShard: SplitShard(op); break;
            case OpKind.MergeShards: MergeShards(op); break;
            case OpKind.UpdateShardCount: UpdateShardCount(op); break;
            case OpKind.OpenReader: OpenReader(op); break;
            case OpKind.Read: Read(op); break;
            case OpKind.Drain: Drain(op); break;
            case OpKind.Wait: Wait(op); break;
            case OpKind.CheckHeldBatch: CheckHeldBatch(op); break;
            case OpKind.DisposeReader: DisposeReader(op); break;
            case OpKind.GetShardIterator: GetShardIterator(op); break;
            case OpKind.GetRecords: GetRecords(op); break;
            case OpKind.Advance: Advance(op); break;
            case OpKind.Audit: Audit(); break;
            case OpKind.ChangeRetention: ChangeRetention(op); break;
            case OpKind.Follow: Follow(op); break;
            case OpKind.ToggleEncryption: ToggleEncryption(op); break;
            case OpKind.FollowNext: FollowNext(op); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op.Kind, null);
        }
    }

    // ------------------------------------------------------------------ choosing targets

    private List<MStream> Alive => [.. _streams.Where(s => !s.Deleted)];

    private MStream? PickAlive(int a)
    {
        List<MStream> alive = Alive;
        return alive.Count == 0 ? null : alive[a % alive.Count];
    }

    /// <summary>Mostly a live stream; now and then a deleted incarnation, whose handles must refuse politely.</summary>
    private MStream? PickAny(int a)
    {
        List<MStream> deleted = [.. _streams.Where(s => s.Deleted)];
        if (a % 5 == 4 && deleted.Count > 0)
        {
            return deleted[(a / 5) % deleted.Count];
        }

        return PickAlive(a);
    }

    private MStream? ByName(string name) => _streams.FirstOrDefault(s => !s.Deleted && s.Name == name);

    private MReader? PickReader(int a)
    {
        List<MReader> open = [.. _readers.Where(r => !r.Disposed)];
        return open.Count == 0 ? null : open[a % open.Count];
    }

#pragma warning disable CA5351 // Kinesis routes by the MD5 of the partition key; the model computes it independently.
    private static UInt128 HashOf(string key) => BinaryPrimitives.ReadUInt128BigEndian(MD5.HashData(Encoding.UTF8.GetBytes(key)));
#pragma warning restore CA5351

    private static MShard Route(MStream stream, UInt128 hashKey) =>
        stream.OpenShards.Single(s => s.Contains(hashKey));

    private static UInt128 Mid(MShard s) => s.Start + ((s.End - s.Start) / 2);

    private static UInt128 HashKeyChoice(MStream stream, int b)
    {
        MShard[] open = [.. stream.OpenShards];
        MShard s = open[(b / 6) % open.Length];
        return (b % 6) switch
        {
            0 => UInt128.Zero,
            1 => UInt128.MaxValue,
            2 => s.Start,
            3 => s.End,
            4 => Mid(s),
            _ => new UInt128((ulong)b * 0x9E3779B97F4A7C15UL, (ulong)b * 0xC2B2AE3D27D4EB4FUL),
        };
    }

    // ------------------------------------------------------------------ payloads: stream incarnation + counter, then a pattern

    private byte[] Payload(int stream, int size)
    {
        int counter = ++_counter;
        var data = new byte[size];
        BinaryPrimitives.WriteInt32LittleEndian(data, stream);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(4), counter);
        for (int i = 8; i < size; i++)
        {
            data[i] = (byte)((stream * 131) + (counter * 31) + i);
        }

        return data;
    }

    private static (int Stream, int Counter) Identify(ReadOnlySpan<byte> data) =>
        data.Length < 8 ? (-1, -1) : (BinaryPrimitives.ReadInt32LittleEndian(data), BinaryPrimitives.ReadInt32LittleEndian(data[4..]));

    // ------------------------------------------------------------------ the model's view of what is readable

    private long Cutoff(MStream s) => Math.Max(Now - s.RetentionMs, s.ExpiredBeforeMs);

    private bool Readable(MStream s, MRecord r) => r.ArrivalMs > Cutoff(s);

    /// <summary>What a reader positioned at <paramref name="next"/> may read now, in order.</summary>
    private List<MRecord> Expected(MStream s, MShard shard, int next)
    {
        var result = new List<MRecord>();
        for (int i = Math.Max(next, shard.Horizon); i < shard.Records.Count; i++)
        {
            if (Readable(s, shard.Records[i]))
            {
                result.Add(shard.Records[i]);
            }
        }

        return result;
    }

    private static bool Ended(MStream s, MShard shard) => s.Deleted || shard.Expired;

    private readonly record struct Seen(string Key, byte[] Data, SequenceNumber SequenceNumber, long ArrivalMs, bool? Encrypted = null);

    /// <summary>
    /// Checks records a read returned against what the model expects and returns the model records they are. The first
    /// record must be the first expected one, except under TrimOldest where the cap may have dropped a prefix (the
    /// model then learns the new horizon); the rest must follow without a gap.
    /// </summary>
    private MRecord[] Match(string what, MStream stream, MShard shard, List<MRecord> expected, IReadOnlyList<Seen> seen)
    {
        var matched = new MRecord[seen.Count];
        int first = 0;
        for (int i = 0; i < seen.Count; i++)
        {
            (int inc, int counter) = Identify(seen[i].Data);
            if (inc != stream.Incarnation)
            {
                string owner = _streams.FirstOrDefault(x => x.Incarnation == inc)?.ToString() ?? "no stream (not a record this test wrote)";
                throw Fail($"{what}: LEAK: a read of {stream} shard {shard.Index} returned a record of {owner} (counter {counter}, {seen[i].Data.Length} bytes)");
            }

            if (!_written.TryGetValue((inc, counter), out MRecord? record))
            {
                throw Fail($"{what}: returned a record this test never wrote (counter {counter})");
            }

            if (i == 0)
            {
                first = expected.IndexOf(record);
                if (first < 0)
                {
                    throw Fail($"{what}: returned {record} (arrived {record.ArrivalMs - Start.ToUnixTimeMilliseconds()} ms after start) which is not readable now on shard {shard.Index}: expected [{string.Join(", ", expected.Take(8))}{(expected.Count > 8 ? ", ..." : "")}]");
                }

                if (first > 0)
                {
                    if (!TrimOldest)
                    {
                        throw Fail($"{what}: skipped {first} readable records: expected {expected[0]} first, got {record}");
                    }

                    shard.Horizon = Math.Max(shard.Horizon, record.Index); // the cap dropped the records before it
                    Count("records seen dropped by TrimOldest");
                }
            }
            else if (first + i >= expected.Count || expected[first + i] != record)
            {
                throw Fail($"{what}: record {i} of the read is {record}, expected {(first + i < expected.Count ? expected[first + i].ToString() : "nothing more")}");
            }

            if (!record.Data.AsSpan().SequenceEqual(seen[i].Data))
            {
                throw Fail($"{what}: payload of {record} differs from what was written");
            }

            if (record.Key != seen[i].Key || record.SequenceNumber != seen[i].SequenceNumber || record.ArrivalMs != seen[i].ArrivalMs)
            {
                throw Fail($"{what}: {record} has key {seen[i].Key}, sequence number {seen[i].SequenceNumber}, arrival {seen[i].ArrivalMs}; wrote key {record.Key}, {record.SequenceNumber}, {record.ArrivalMs}");
            }

            if (record.Encrypted)
            {
                Count("encrypted record read");
            }

            if (seen[i].Encrypted is { } encrypted && encrypted != record.Encrypted)
            {
                throw Fail($"{what}: {record} reports EncryptionType {(encrypted ? "KMS" : "NONE")}; it was written {(record.Encrypted ? "encrypted" : "in the clear")}");
            }

            matched[i] = record;
        }

        return matched;
    }

    private static List<Seen> Snapshot(RecordBatch batch)
    {
        var seen = new List<Seen>(batch.Count);
        foreach (StreamRecord r in batch)
        {
            seen.Add(new Seen(r.PartitionKey, r.Data.ToArray(), r.SequenceNumber, r.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds()));
        }

        return seen;
    }

    private static List<Seen> Snapshot(List<StreamCore.Kinesis.Record> records) =>
        [.. records.Select(r => new Seen(r.PartitionKey!, r.Data!.ToArray(), SequenceNumber.Parse(r.SequenceNumber!), new DateTimeOffset(r.ApproximateArrivalTimestamp!.Value, TimeSpan.Zero).ToUnixTimeMilliseconds(), r.EncryptionType == EncryptionType.KMS))];

    // ------------------------------------------------------------------ control plane

    private void CreateStream(Op op)
    {
        string name = Names[op.A % Names.Length];
        int shards = 1 + (op.B % 4);
        if (ByName(name) is not null)
        {
            ExpectThrows<ResourceInUseException>("CreateStream of an existing name", () => _engine.CreateStream(name, shards));
            return;
        }

        DataStream handle = _engine.CreateStream(name, shards);
        var stream = new MStream(++_incarnations, name, handle, Now) { SweptBeforeMs = long.MinValue };
        UInt128 width = shards == 1 ? UInt128.MaxValue : UniformWidth(shards);
        for (int i = 0; i < shards; i++)
        {
            UInt128 start = width * (uint)i;
            UInt128 end = i == shards - 1 ? UInt128.MaxValue : (width * (uint)(i + 1)) - 1;
            stream.Shards.Add(new MShard(i, start, end));
        }

        _streams.Add(stream);
    }

    /// <summary>AWS's uniform layout: shard i of n starts at i * floor(2^128 / n).</summary>
    private static UInt128 UniformWidth(int n)
    {
        UInt128 width = UInt128.MaxValue / (uint)n;
        return UInt128.MaxValue % (uint)n == (uint)n - 1 ? width + 1 : width;
    }

    private void DeleteStream(Op op)
    {
        if (PickAlive(op.A) is not { } stream)
        {
            return;
        }

        _engine.DeleteStream(stream.Name);
        stream.Deleted = true;
    }

    private void ChangeRetention(Op op)
    {
        if (PickAlive(op.A) is not { } stream)
        {
            return;
        }

        int hours = 24 + ((op.B % 4) * 12);
        if (hours >= stream.RetentionHours)
        {
            if (Tolerates("resurrect") && stream.Shards.Any(s => s.Expired))
            {
                return;
            }

            Await(_kinesis.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = stream.Name, RetentionPeriodHours = hours }));
            stream.ExpiredBeforeMs = Math.Max(stream.ExpiredBeforeMs, Now - stream.RetentionMs);
        }
        else
        {
            Await(_kinesis.DecreaseStreamRetentionPeriodAsync(new DecreaseStreamRetentionPeriodRequest { StreamName = stream.Name, RetentionPeriodHours = hours }));
        }

        stream.RetentionHours = hours;
        MarkExpiredShards();
    }

    /// <summary>StartStreamEncryption or StopStreamEncryption: readers decrypt into a per-reader buffer, valid only until they read again.</summary>
    private void ToggleEncryption(Op op)
    {
        if (PickAlive(op.A) is not { } stream)
        {
            return;
        }

        if (stream.Encrypted)
        {
            Await(_kinesis.StopStreamEncryptionAsync(new StopStreamEncryptionRequest { StreamName = stream.Name, EncryptionType = EncryptionType.KMS, KeyId = "alias/aws/kinesis" }));
        }
        else
        {
            Await(_kinesis.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = stream.Name, EncryptionType = EncryptionType.KMS, KeyId = "alias/aws/kinesis" }));
        }

        stream.Encrypted = !stream.Encrypted;
    }

    private void SplitShard(Op op)
    {
        if (PickAlive(op.A) is not { } stream)
        {
            return;
        }

        List<MShard> closed = [.. stream.Shards.Where(s => !s.IsOpen && !s.Expired)];
        if (op.B % 5 == 4 && closed.Count > 0)
        {
            MShard done = closed[op.B % closed.Count];
            ExpectThrows<InvalidArgumentException>("SplitShard of a closed shard", () => stream.Handle.SplitShard(new ShardId(done.Index), Mid(done)));
            return;
        }

        MShard[] open = [.. stream.OpenShards];
        if (open.Length >= 12)
        {
            return; // keep scenarios small
        }

        MShard parent = open[op.B % open.Length];
        UInt128 key = (op.C % 4) switch
        {
            0 or 1 => Mid(parent),
            2 => parent.Start + 2,
            _ => parent.Start + 1, // not a valid split point
        };
        bool valid = key > parent.Start + 1 && key < parent.End;
        if (!valid)
        {
            ExpectThrows<InvalidArgumentException>("SplitShard at an invalid hash key", () => stream.Handle.SplitShard(new ShardId(parent.Index), key));
            return;
        }

        stream.Handle.SplitShard(new ShardId(parent.Index), key);
        Close(stream, [parent], [(parent.Start, key - 1), (key, parent.End)]);
    }

    private void Close(MStream stream, MShard[] parents, (UInt128 Start, UInt128 End)[] children)
    {
        int? adjacent = parents.Length > 1 ? parents[1].Index : null;
        foreach ((UInt128 start, UInt128 end) in children)
        {
            var child = new MShard(stream.Shards.Count, start, end, parents[0].Index, adjacent);
            stream.Shards.Add(child);
            foreach (MShard parent in parents)
            {
                parent.Children.Add(child.Index);
            }
        }

        foreach (MShard parent in parents)
        {
            parent.ClosedAtMs = Now;
        }
    }

    private void MergeShards(Op op)
    {
        if (PickAlive(op.A) is not { } stream)
        {
            return;
        }

        MShard[] open = [.. stream.OpenShards];
        if (open.Length < 2)
        {
            return;
        }

        int i = op.B % (open.Length - 1);
        if (op.C % 4 == 3)
        {
            // Not an adjacent pair in order: the reverse order, or two shards apart.
            (MShard x, MShard y) = open.Length > 2 && i + 2 < open.Length ? (open[i], open[i + 2]) : (open[i + 1], open[i]);
            ExpectThrows<InvalidArgumentException>("MergeShards of a non-adjacent pair", () => stream.Handle.MergeShards(new ShardId(x.Index), new ShardId(y.Index)));
            return;
        }

        stream.Handle.MergeShards(new ShardId(open[i].Index), new ShardId(open[i + 1].Index));
        Close(stream, [open[i], open[i + 1]], [(open[i].Start, open[i + 1].End)]);
    }

    private void UpdateShardCount(Op op)
    {
        if (PickAlive(op.A) is not { } stream)
        {
            return;
        }

        int n = stream.OpenShards.Count();
        int target = (op.B % 6) switch
        {
            0 => n * 2,
            1 => (n + 1) / 2,
            2 => n + 1,
            3 => Math.Max(1, n - 1),
            4 => (n * 2) + 1, // above double: refused
            _ => 3,
        };
        if (target > 12 && target <= n * 2)
        {
            return; // keep scenarios small
        }

        stream.ScalingTimesMs.RemoveAll(t => Now - t >= 24 * 3_600_000L);
        bool valid = target <= n * 2 && target * 2 >= n && stream.ScalingTimesMs.Count < 10;
        if (!valid)
        {
            ExpectThrows<LimitExceededException>($"UpdateShardCount from {n} to {target}", () => stream.Handle.UpdateShardCount(target));
            return;
        }

        stream.Handle.UpdateShardCount(target);
        stream.ScalingTimesMs.Add(Now);

        // The path through intermediate shards is the engine's to choose; the model adopts it and checks its shape.
        Dictionary<int, ShardInfo> listed = stream.Handle.Shards.ToDictionary(s => s.ShardId.Index);
        foreach (ShardInfo info in listed.Values.Where(s => s.ShardId.Index >= stream.Shards.Count).OrderBy(s => s.ShardId.Index))
        {
            if (info.ShardId.Index != stream.Shards.Count)
            {
                throw Fail($"UpdateShardCount: new shard ids are not consecutive: {info.ShardId} after {stream.Shards.Count} shards");
            }

            int?[] parents = [info.ParentShardId?.Index, info.AdjacentParentShardId?.Index];
            if (info.ParentShardId is null || parents.Any(p => p is { } x && x >= info.ShardId.Index))
            {
                throw Fail($"UpdateShardCount: new shard {info.ShardId} has parents {info.ParentShardId}, {info.AdjacentParentShardId}");
            }

            var child = new MShard(info.ShardId.Index, info.HashKeyRange.StartingHashKey, info.HashKeyRange.EndingHashKey, info.ParentShardId?.Index, info.AdjacentParentShardId?.Index);
            MShard[] ofParents = [.. parents.OfType<int>().Select(p => stream.Shards[p])];
            UInt128 lo = ofParents.Min(p => p.Start), hi = ofParents.Max(p => p.End);
            if (child.Start < lo || child.End > hi || (ofParents.Length == 2 && ofParents[0].End + 1 != ofParents[1].Start))
            {
                throw Fail($"UpdateShardCount: new {child} does not come from its parents {string.Join(", ", ofParents.AsEnumerable())}");
            }

            stream.Shards.Add(child);
            foreach (MShard parent in ofParents)
            {
                parent.Children.Add(child.Index);
                parent.ClosedAtMs ??= Now;
            }
        }

        MShard[] after = [.. stream.OpenShards];
        UInt128 width = target == 1 ? UInt128.MaxValue : UniformWidth(target);
        for (int i = 0; i < target; i++)
        {
            UInt128 start = width * (uint)i;
            UInt128 end = i == target - 1 ? UInt128.MaxValue : (width * (uint)(i + 1)) - 1;
            if (after.Length != target || after[i].Start != start || after[i].End != end)
            {
                throw Fail($"UpdateShardCount to {target}: open shards are {string.Join(", ", after.AsEnumerable())}, not the uniform layout");
            }
        }
    }

    // ------------------------------------------------------------------ writes

    private void Append(Op op, bool explicitHashKey)
    {
        if (PickAny(op.A) is not { } stream)
        {
            return;
        }

        string key = "k" + (op.B % 8).ToString(CultureInfo.InvariantCulture);
        byte[] data = Payload(stream.Incarnation, PayloadSizes[op.C % PayloadSizes.Length]);
        if (stream.Deleted)
        {
            ExpectThrows<ResourceNotFoundException>($"Append to deleted {stream}", () => stream.Handle.Append(key, data));
            return;
        }

        UInt128 hashKey = explicitHashKey ? HashKeyChoice(stream, op.B) : HashOf(key);
        MShard shard = Route(stream, hashKey);
        AppendResult result;
        try
        {
            result = explicitHashKey ? stream.Handle.Append(key, hashKey, data) : stream.Handle.Append(key, data);
        }
        catch (ProvisionedThroughputExceededException)
        {
            RequireJustifiedRejection("Append");
            Count("write refused for memory");
            return;
        }

        if (result.ShardId.Index != shard.Index)
        {
            throw Fail($"Append routed hash key {hashKey} to shard {result.ShardId}; the model's open shard for it is {shard}");
        }

        Remember(stream, shard, key, data, result.SequenceNumber);
    }

    /// <summary>Many appends at once through the event-bus face, so segments fill, roll, trim and recycle.</summary>
    private void AppendBurst(Op op)
    {
        int count = 8 + (op.B % 32);
        for (int i = 0; i < count; i++)
        {
            Append(new Op(OpKind.Append, op.A, op.B + i, op.C + (i % 3)), explicitHashKey: i % 5 == 4);
        }
    }

    private void Remember(MStream stream, MShard shard, string key, byte[] data, SequenceNumber sequenceNumber)
    {
        if (shard.Records.Count > 0 && sequenceNumber.CompareTo(shard.Records[^1].SequenceNumber) <= 0)
        {
            throw Fail($"sequence number {sequenceNumber} on shard {shard.Index} does not follow {shard.Records[^1].SequenceNumber}");
        }

        if (sequenceNumber.ShardId.Index != shard.Index)
        {
            throw Fail($"sequence number {sequenceNumber} names shard {sequenceNumber.ShardId}, written to {shard.Index}");
        }

        var record = new MRecord(stream.Incarnation, BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(4)), key, data, Now, sequenceNumber, shard.Records.Count, stream.Encrypted);
        shard.Records.Add(record);
        _written[(record.Stream, record.Counter)] = record;
    }

    /// <summary>A write refused for memory is justified only when one more segment would not fit under the cap.</summary>
    private void RequireJustifiedRejection(string what)
    {
        long retained = _engine.RetainedBytes;
        if (_cap is not { } cap || retained + SegmentCharge <= cap)
        {
            throw Fail($"{what} refused for memory with {retained} bytes retained under a cap of {(_cap?.ToString(CultureInfo.InvariantCulture) ?? "none")}");
        }
    }

    private void PutRecord(Op op)
    {
        string name = Names[op.A % Names.Length];
        MStream? stream = ByName(name);
        string key = "k" + (op.B % 8).ToString(CultureInfo.InvariantCulture);
        byte[] data = Payload(stream?.Incarnation ?? 0, PayloadSizes[op.C % PayloadSizes.Length]);
        bool useHashKey = op.B % 3 == 2 && stream is not null;
        UInt128 hashKey = useHashKey ? HashKeyChoice(stream!, op.B) : HashOf(key);
        var request = new PutRecordRequest
        {
            StreamName = name,
            PartitionKey = key,
            ExplicitHashKey = useHashKey ? hashKey.ToString(CultureInfo.InvariantCulture) : null,
            Data = new MemoryStream(data),
        };
        if (stream is null)
        {
            ExpectThrows<ResourceNotFoundException>($"PutRecord to missing {name}", () => Await(_kinesis.PutRecordAsync(request)));
            return;
        }

        MShard shard = Route(stream, hashKey);
        PutRecordResponse response;
        try
        {
            response = Await(_kinesis.PutRecordAsync(request));
        }
        catch (ProvisionedThroughputExceededException)
        {
            RequireJustifiedRejection("PutRecord");
            return;
        }

        if (response.ShardId != new ShardId(shard.Index).ToString())
        {
            throw Fail($"PutRecord routed hash key {hashKey} to {response.ShardId}; the model's shard is {shard}");
        }

        Remember(stream, shard, key, data, SequenceNumber.Parse(response.SequenceNumber!));
    }

    private void PutRecords(Op op)
    {
        string name = Names[op.A % Names.Length];
        MStream? stream = ByName(name);
        int count = 1 + (op.B % 5);
        var entries = new List<(string Key, UInt128 HashKey, bool Explicit, byte[] Data)>();
        for (int j = 0; j < count; j++)
        {
            string key = "k" + (((op.B / 5) + j) % 8).ToString(CultureInfo.InvariantCulture);
            bool useHashKey = (op.C + j) % 4 == 3 && stream is not null;
            UInt128 hashKey = useHashKey ? HashKeyChoice(stream!, op.C + j) : HashOf(key);
            entries.Add((key, hashKey, useHashKey, Payload(stream?.Incarnation ?? 0, PayloadSizes[(op.C + j) % PayloadSizes.Length])));
        }

        var request = new PutRecordsRequest { StreamName = name };
        foreach ((string key, UInt128 hashKey, bool isExplicit, byte[] data) in entries)
        {
            request.Records.Add(new PutRecordsRequestEntry
            {
                PartitionKey = key,
                ExplicitHashKey = isExplicit ? hashKey.ToString(CultureInfo.InvariantCulture) : null,
                Data = new MemoryStream(data),
            });
        }

        if (stream is null)
        {
            ExpectThrows<ResourceNotFoundException>($"PutRecords to missing {name}", () => Await(_kinesis.PutRecordsAsync(request)));
            return;
        }

        PutRecordsResponse response = Await(_kinesis.PutRecordsAsync(request));
        if (response.Records.Count != count || response.FailedRecordCount != response.Records.Count(r => r.ErrorCode is not null))
        {
            throw Fail($"PutRecords answered {response.Records.Count} entries with FailedRecordCount {response.FailedRecordCount} for {count} records");
        }

        for (int j = 0; j < count; j++)
        {
            PutRecordsResultEntry result = response.Records[j];
            if (result.ErrorCode is { } code)
            {
                if (code != "ProvisionedThroughputExceededException")
                {
                    throw Fail($"PutRecords entry {j} failed with {code}: {result.ErrorMessage}");
                }

                RequireJustifiedRejection("PutRecords entry");
                continue;
            }

            MShard shard = Route(stream, entries[j].HashKey);
            if (result.ShardId != new ShardId(shard.Index).ToString())
            {
                throw Fail($"PutRecords entry {j} routed to {result.ShardId}; the model's shard is {shard}");
            }

            Remember(stream, shard, entries[j].Key, entries[j].Data, SequenceNumber.Parse(result.SequenceNumber!));
        }
    }

    // ------------------------------------------------------------------ readers (the event-bus face)

    /// <summary>A starting position and the model index it stands for, chosen by <paramref name="c"/>.</summary>
    private (ShardPosition Position, int Next, string Text) PositionChoice(MShard shard, int c)
    {
        MRecord? some = shard.Records.Count == 0 ? null : shard.Records[(c / 6) % shard.Records.Count];
        switch (c % 6)
        {
            case 1:
                return (ShardPosition.Latest, shard.Records.Count, "LATEST");
            case 2 when some is not null:
                return (ShardPosition.AtSequenceNumber(some.SequenceNumber), some.Index, $"AT {some}");
            case 3 when some is not null:
                return (ShardPosition.AfterSequenceNumber(some.SequenceNumber), some.Index + 1, $"AFTER {some}");
            case 4 when some is not null:
                return (ShardPosition.AtTimestamp(DateTimeOffset.FromUnixTimeMilliseconds(some.ArrivalMs)), FirstArrivedAtOrAfter(shard, some.ArrivalMs), $"AT_TIMESTAMP of {some}");
            case 5:
                long t = Math.Max(Start.ToUnixTimeMilliseconds(), Now - 3_600_000);
                return (ShardPosition.AtTimestamp(DateTimeOffset.FromUnixTimeMilliseconds(t)), FirstArrivedAtOrAfter(shard, t), "AT_TIMESTAMP now-1h");
            default:
                return (ShardPosition.TrimHorizon, 0, "TRIM_HORIZON");
        }
    }

    private static int FirstArrivedAtOrAfter(MShard shard, long t)
    {
        int i = shard.Records.FindIndex(r => r.ArrivalMs >= t);
        return i < 0 ? shard.Records.Count : i;
    }

    private void OpenReader(Op op)
    {
        if (PickAny(op.A) is not { } stream)
        {
            return;
        }

        MShard shard = stream.Shards[op.B % stream.Shards.Count];
        (ShardPosition position, int next, string text) = PositionChoice(shard, op.C);
        int maxBatch = BatchSizes[(op.C / 3) % BatchSizes.Length];
        _log[^1] += $" -> {stream} shard {shard.Index} {text}";
        if (shard.Expired && !stream.Deleted)
        {
            ExpectThrows<ResourceNotFoundException>($"OpenReader on expired {shard}", () => stream.Handle.OpenReader(new ShardId(shard.Index), position, maxBatch));
            return;
        }

        ShardReader reader;
        try
        {
            reader = stream.Handle.OpenReader(new ShardId(shard.Index), position, maxBatch);
        }
        catch (ResourceNotFoundException) when (stream.Deleted)
        {
            return; // a deleted stream's shards may be refused; a reader on them must then end (checked on its reads)
        }

        _readers.Add(new MReader(++_readerIds, reader, stream, shard, next, maxBatch));
    }

    private void Read(Op op)
    {
        if (op.A % 9 == 8 && _readers.FirstOrDefault(r => r.Disposed) is { } gone)
        {
            ExpectThrows<ObjectDisposedException>("TryRead on a disposed reader", () => gone.Reader.TryRead(out _));
            return;
        }

        if (PickReader(op.A) is { } reader)
        {
            ReadOnce(reader, $"reader {reader.Id}");
        }
    }

    private void Drain(Op op)
    {
        if (PickReader(op.A) is { } reader)
        {
            for (int i = 0; i < 64 && ReadOnce(reader, $"reader {reader.Id} draining"); i++)
            {
            }
        }
    }

    /// <summary>One TryRead, checked; returns whether it returned records.</summary>
    private bool ReadOnce(MReader reader, string what)
    {
        List<MRecord> expected = Expected(reader.Stream, reader.Shard, reader.Next);
        reader.Reads++;
        bool read = reader.Reader.TryRead(out RecordBatch batch);
        if (Ended(reader.Stream, reader.Shard))
        {
            if (read || batch.Count != 0)
            {
                List<Seen> leaked = Snapshot(batch);
                if (Tolerates("read-after-end") && leaked.All(r => Identify(r.Data).Stream == reader.Stream.Incarnation))
                {
                    return false;
                }

                Match($"{what} of {(reader.Stream.Deleted ? "deleted" : "expired-shard")} {reader.Stream}", reader.Stream, reader.Shard, [], leaked);
                throw Fail($"{what}: TryRead returned {batch.Count} records after {reader.Stream} was deleted or shard {reader.Shard.Index} expired");
            }

            Count("TryRead of an ended reader");
            return false;
        }

        if (!read)
        {
            if (batch.Count != 0)
            {
                throw Fail($"{what}: TryRead returned false with a batch of {batch.Count}");
            }

            if (expected.Count > 0)
            {
                throw Fail($"{what}: TryRead returned nothing; the model has {expected.Count} readable records from {expected[0]}");
            }

            CheckShardEnd(reader, what);
            return false;
        }

        if (batch.Count < 1 || batch.Count > reader.MaxBatch || batch.ShardId.Index != reader.Shard.Index)
        {
            throw Fail($"{what}: TryRead returned {batch.Count} records of {batch.ShardId} (batch size {reader.MaxBatch}, shard {reader.Shard.Index})");
        }

        MRecord[] matched = Match(what, reader.Stream, reader.Shard, expected, Snapshot(batch));
        if (batch.LastSequenceNumber != matched[^1].SequenceNumber)
        {
            throw Fail($"{what}: LastSequenceNumber {batch.LastSequenceNumber} is not that of {matched[^1]}");
        }

        reader.Next = matched[^1].Index + 1;
        Count("TryRead with records");
        OwnedRecord[] copies = reader.Reads % 2 == 0 ? batch.ToArray() : [batch[0].Copy()];
        _held.Add(new MHeld(reader, batch, reader.Reads, matched, copies));
        if (_held.Count > 12)
        {
            _held.RemoveAt(0);
        }

        CheckShardEnd(reader, what);
        return true;
    }

    private void CheckShardEnd(MReader reader, string what)
    {
        bool atEnd = !reader.Shard.IsOpen && Expected(reader.Stream, reader.Shard, reader.Next).Count == 0;
        if (reader.Reader.IsAtShardEnd != atEnd)
        {
            throw Fail($"{what}: IsAtShardEnd is {reader.Reader.IsAtShardEnd}; the model says {atEnd} ({reader.Shard})");
        }
    }

    private void Wait(Op op)
    {
        if (PickReader(op.A) is not { } reader)
        {
            return;
        }

        if (reader.PendingWait is { } pending)
        {
            if (!pending.IsCompleted)
            {
                return; // still waiting; CheckInvariants says whether it should have been woken
            }

            reader.PendingWait = null;
            _ = pending.Result;
        }

        string what = $"reader {reader.Id} WaitToReadAsync";
        ValueTask<bool> wait = reader.Reader.WaitToReadAsync();
        bool ended = Ended(reader.Stream, reader.Shard);
        List<MRecord> expected = ended ? [] : Expected(reader.Stream, reader.Shard, reader.Next);
        if (!wait.IsCompleted)
        {
            if (ended || expected.Count > 0 || !reader.Shard.IsOpen)
            {
                throw Fail($"{what} is pending; the model says {(ended ? "the reader has ended" : expected.Count > 0 ? $"{expected.Count} records are readable" : "the shard is closed")}");
            }

            reader.PendingWait = wait;
            Count("wait pending");
            return;
        }

        bool result = wait.Result;
        if (expected.Count > 0 && !result)
        {
            throw Fail($"{what} returned false with {expected.Count} records readable");
        }

        // A reader of a deleted stream must end at once. A reader of a shard that aged out but was not swept yet may be
        // woken once more (the expired records are still stored); its TryRead then skips them and it ends.
        if (ended && result && !Tolerates("wait-ended") && reader.Stream.Deleted)
        {
            throw Fail($"{what} returned true for a reader whose {(reader.Stream.Deleted ? "stream was deleted" : "shard expired")}: a ReadAllAsync loop would spin");
        }

        if (result && expected.Count == 0)
        {
            // A wake with nothing to read is tolerable once; twice in a row is a ReadAllAsync loop that spins.
            if (ReadOnce(reader, $"reader {reader.Id} after a wake"))
            {
                return;
            }

            ValueTask<bool> again = reader.Reader.WaitToReadAsync();
            if (again.IsCompleted && again.Result && !(ended && Tolerates("wait-ended")))
            {
                throw Fail($"{what} returned true twice with nothing to read in between: a ReadAllAsync loop would spin");
            }

            if (ended && !again.IsCompleted)
            {
                throw Fail($"{what}: a reader of an aged-out shard waits instead of ending");
            }

            if (!again.IsCompleted)
            {
                reader.PendingWait = again;
            }
        }
    }

    private void CheckHeldBatch(Op op)
    {
        if (_held.Count == 0)
        {
            return;
        }

        MHeld held = _held[op.A % _held.Count];
        string what = $"held batch of reader {held.Reader.Id} ({held.Expected.Length} records from {held.Expected[0]})";
        for (int i = 0; i < held.Copies.Length; i++)
        {
            OwnedRecord copy = held.Copies[i];
            MRecord r = held.Expected[i];
            if (!r.Data.AsSpan().SequenceEqual(copy.Data.Span) || r.Key != copy.PartitionKey || r.SequenceNumber != copy.SequenceNumber
                || copy.ShardId.Index != held.Reader.Shard.Index || copy.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds() != r.ArrivalMs)
            {
                (int inc, int counter) = Identify(copy.Data.Span);
                throw Fail($"{what}: copied record {i} changed: shows #{inc}.{counter}, was {r}");
            }
        }

        Count("held copies intact");
        if (held.IsStale)
        {
            if (!CheckStaleBatches)
            {
                return;
            }

            try
            {
                _ = Snapshot(held.Batch);
            }
            catch (InvalidOperationException)
            {
                Count("stale batch threw");
                return;
            }

            throw Fail($"{what}: used after its reader {(held.Reader.Disposed ? "was disposed" : "read again")}, it did not throw InvalidOperationException");
        }

        List<Seen> seen = Snapshot(held.Batch);
        Count(held.Reader.Stream.Deleted ? "held batch intact after its stream was deleted" : "held batch intact");
        for (int i = 0; i < seen.Count; i++)
        {
            MRecord r = held.Expected[i];
            if (!r.Data.AsSpan().SequenceEqual(seen[i].Data) || r.Key != seen[i].Key || r.SequenceNumber != seen[i].SequenceNumber)
            {
                (int inc, int counter) = Identify(seen[i].Data);
                throw Fail($"{what}: record {i} changed while its reader held it: now shows #{inc}.{counter}, was {r}");
            }
        }

        if (seen.Count != held.Expected.Length)
        {
            throw Fail($"{what}: now has {seen.Count} records");
        }
    }

    private void DisposeReader(Op op)
    {
        if (PickReader(op.A) is not { } reader)
        {
            return;
        }

        reader.Reader.Dispose();
        reader.Disposed = true;
    }

    // ------------------------------------------------------------------ iterators (the Kinesis face)

    private void GetShardIterator(Op op)
    {
        string name = Names[op.A % Names.Length];
        if (ByName(name) is not { } stream)
        {
            ExpectThrows<ResourceNotFoundException>($"GetShardIterator on missing {name}", () => Await(_kinesis.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = name, ShardId = "shardId-000000000000", ShardIteratorType = ShardIteratorType.TRIM_HORIZON })));
            return;
        }

        MShard shard = stream.Shards[op.B % stream.Shards.Count];
        (ShardPosition position, int next, string text) = PositionChoice(shard, op.C);
        _log[^1] += $" -> {stream} shard {shard.Index} {text}";
        var request = new GetShardIteratorRequest
        {
            StreamName = name,
            ShardId = new ShardId(shard.Index).ToString(),
            ShardIteratorType = position.Kind switch
            {
                ShardPositionKind.Latest => ShardIteratorType.LATEST,
                ShardPositionKind.AtSequenceNumber => ShardIteratorType.AT_SEQUENCE_NUMBER,
                ShardPositionKind.AfterSequenceNumber => ShardIteratorType.AFTER_SEQUENCE_NUMBER,
                ShardPositionKind.AtTimestamp => ShardIteratorType.AT_TIMESTAMP,
                _ => ShardIteratorType.TRIM_HORIZON,
            },
            StartingSequenceNumber = position.Kind is ShardPositionKind.AtSequenceNumber or ShardPositionKind.AfterSequenceNumber ? position.SequenceNumber.ToString() : null,
            Timestamp = position.Kind == ShardPositionKind.AtTimestamp ? position.Timestamp.UtcDateTime : null,
        };
        if (shard.Expired)
        {
            ExpectThrows<ResourceNotFoundException>($"GetShardIterator on expired {shard}", () => Await(_kinesis.GetShardIteratorAsync(request)));
            return;
        }

        string token = Await(_kinesis.GetShardIteratorAsync(request)).ShardIterator!;
        _iterators.Add(new MIterator(stream, shard, token, next, Now));
        if (_iterators.Count > 12)
        {
            _iterators.RemoveAt(0);
        }
    }

    private void GetRecords(Op op)
    {
        List<MIterator> usable = [.. _iterators.Where(i => !i.Ended)];
        if (usable.Count == 0)
        {
            return;
        }

        MIterator it = usable[op.A % usable.Count];
        int limit = Limits[op.B % Limits.Length];
        string what = $"GetRecords on {it.Stream} shard {it.Shard.Index} at {it.Next} (limit {limit})";
        _log[^1] += $" -> {it.Stream} shard {it.Shard.Index}";
        long age = Now - it.IssuedMs;
        var request = new GetRecordsRequest { ShardIterator = it.Token, Limit = limit };
        GetRecordsResponse response;
        try
        {
            response = Await(_kinesis.GetRecordsAsync(request));
        }
        catch (ExpiredIteratorException) when (age >= IteratorValidityMs)
        {
            Count("iterator expired");
            it.Ended = true;
            return;
        }
        catch (ResourceNotFoundException) when (Ended(it.Stream, it.Shard))
        {
            Count("iterator of a deleted stream or expired shard refused");
            it.Ended = true;
            return;
        }

        if (age > IteratorValidityMs)
        {
            throw Fail($"{what}: an iterator {age} ms old was accepted");
        }

        if (Ended(it.Stream, it.Shard))
        {
            if (Tolerates("recreate-same-ms") && _streams.Any(x => x != it.Stream && x.Name == it.Stream.Name && x.CreatedMs == it.Stream.CreatedMs))
            {
                it.Ended = true;
                return;
            }

            Match(what, it.Stream, it.Shard, [], Snapshot(response.Records));
            throw Fail($"{what}: answered {response.Records.Count} records though {(it.Stream.Deleted ? "the stream was deleted" : "the shard expired")}");
        }

        List<MRecord> expected = Expected(it.Stream, it.Shard, it.Next);
        MRecord[] matched = Match(what, it.Stream, it.Shard, expected, Snapshot(response.Records));
        int skipped = matched.Length > 0 ? expected.IndexOf(matched[0]) : expected.Count(r => r.Index < it.Shard.Horizon);
        int want = Math.Min(limit, expected.Count - skipped);
        if (matched.Length != want)
        {
            throw Fail($"{what}: returned {matched.Length} records; the model has {expected.Count - skipped} readable");
        }

        if (matched.Length > 0)
        {
            it.Next = matched[^1].Index + 1;
        }

        bool atEnd = !it.Shard.IsOpen && Expected(it.Stream, it.Shard, it.Next).Count == 0;
        if (atEnd != (response.NextShardIterator is null))
        {
            throw Fail($"{what}: NextShardIterator is {(response.NextShardIterator is null ? "null" : "set")}; the model says the shard {(atEnd ? "ends here" : "goes on")}");
        }

        if (atEnd)
        {
            Count("GetRecords at the end of a closed shard");
            string[] children = [.. it.Shard.Children.Select(c => new ShardId(c).ToString()).Order(StringComparer.Ordinal)];
            string[] listed = [.. response.ChildShards.Select(c => c.ShardId!).Order(StringComparer.Ordinal)];
            if (!children.SequenceEqual(listed))
            {
                throw Fail($"{what}: ChildShards [{string.Join(", ", listed)}], the model's children [{string.Join(", ", children)}]");
            }

            it.Ended = true;
            return;
        }

        it.Token = response.NextShardIterator!;
        it.IssuedMs = Now;
    }

    // ------------------------------------------------------------------ the stream follower (ReadStreamAsync)

    private static readonly TimeSpan FollowerTimeout = TimeSpan.FromSeconds(3);

    private void Follow(Op op)
    {
        if (PickAlive(op.A) is not { } stream || _followers.Count(f => !f.Ended) >= 3)
        {
            return;
        }

        // From TRIM_HORIZON only: a LATEST follower fixes its start at its first MoveNextAsync, which would wait.
        IAsyncEnumerator<RecordBatch> batches = stream.Handle.ReadStreamAsync(ShardPosition.TrimHorizon).GetAsyncEnumerator();
        _followers.Add(new MFollower(_followers.Count + 1, stream, batches));
    }

    private static IEnumerable<MShard> Parents(MStream stream, MShard shard)
    {
        foreach (int? p in new[] { shard.Parent, shard.AdjacentParent })
        {
            if (p is { } index)
            {
                yield return stream.Shards[index];
            }
        }
    }

    private static bool Considered(MFollower f, MShard shard) => f.Initial!.Contains(shard.Index) || Parents(f.Stream, shard).Any(p => Considered(f, p));

    private static int FollowerNext(MFollower f, MShard shard) => f.Next.TryGetValue(shard.Index, out int next) ? next : 0;

    /// <summary>Read by the follower now: a starting shard, or one whose followed parents are all read to their end.</summary>
    private bool Active(MFollower f, MShard shard) =>
        Considered(f, shard) && (f.Initial!.Contains(shard.Index) || Parents(f.Stream, shard).Where(p => Considered(f, p)).All(p => Finished(f, p)));

    private bool Finished(MFollower f, MShard shard) =>
        !shard.IsOpen && Active(f, shard) && Expected(f.Stream, shard, FollowerNext(f, shard)).Count == 0;

    private void FollowNext(Op op)
    {
        List<MFollower> running = [.. _followers.Where(f => !f.Ended)];
        if (running.Count == 0)
        {
            return;
        }

        MFollower f = running[op.A % running.Count];
        string what = f.ToString();
        bool starting = f.Initial is null;
        if (starting)
        {
            // The follower picks its starting shards (the roots of what is retained) at its first MoveNextAsync.
            MShard[] live = [.. f.Stream.Shards.Where(s => !s.Expired)];
            f.Initial = [.. live.Where(s => !Parents(f.Stream, s).Any(p => live.Contains(p))).Select(s => s.Index)];
        }

        bool end = f.Stream.Deleted;
        List<MShard> deliverable = end ? [] : [.. f.Stream.Shards.Where(s => Active(f, s) && Expected(f.Stream, s, FollowerNext(f, s)).Count > 0)];
        if (!end && deliverable.Count == 0)
        {
            if (starting)
            {
                f.Initial = null; // not started after all
            }

            return; // nothing to deliver: the follower would wait, and a wait would make the run depend on thread timing
        }

        Task<bool> move = Task.Run(async () => await f.Batches.MoveNextAsync());
        if (!move.Wait(FollowerTimeout))
        {
            f.Ended = true; // abandoned: it may be spinning
            throw Fail(end
                ? $"{what}: the stream was deleted, yet MoveNextAsync did not end the sequence within {FollowerTimeout.TotalSeconds} s"
                : $"{what}: MoveNextAsync delivered nothing within {FollowerTimeout.TotalSeconds} s, with records readable on shards {string.Join(", ", deliverable.Select(s => s.Index))}");
        }

        if (end)
        {
            if (move.Result)
            {
                RecordBatch leaked = f.Batches.Current;
                Match($"{what} after its stream was deleted", f.Stream, f.Stream.Shards[Math.Min(leaked.ShardId.Index, f.Stream.Shards.Count - 1)], [], Snapshot(leaked));
                throw Fail($"{what}: delivered {leaked.Count} records of shard {leaked.ShardId} after its stream was deleted");
            }

            f.Ended = true;
            Count("follower ended with its stream");
            return;
        }

        if (!move.Result)
        {
            throw Fail($"{what}: the sequence ended with records readable on shards {string.Join(", ", deliverable.Select(s => s.Index))}");
        }

        RecordBatch batch = f.Batches.Current;
        MShard? shard = deliverable.FirstOrDefault(s => s.Index == batch.ShardId.Index);
        if (shard is null)
        {
            throw Fail($"{what}: delivered a batch of shard {batch.ShardId}; the model's follower reads [{string.Join(", ", deliverable.Select(s => s.Index))}] now (parents before children)");
        }

        MRecord[] matched = Match(what, f.Stream, shard, Expected(f.Stream, shard, FollowerNext(f, shard)), Snapshot(batch));
        if (matched.Length == 0)
        {
            throw Fail($"{what}: delivered an empty batch of shard {shard.Index}");
        }

        f.Next[shard.Index] = matched[^1].Index + 1;
        Count("follower batch");
    }

    // ------------------------------------------------------------------ time

    private void Advance(Op op)
    {
        long ms = Advances[op.A % Advances.Length];
        _clock.Advance(TimeSpan.FromMilliseconds(ms));
        long now = Now;
        while (_nextSweepMs <= now)
        {
            foreach (MStream stream in Alive)
            {
                stream.SweptBeforeMs = Math.Max(stream.SweptBeforeMs, _nextSweepMs - stream.RetentionMs);
            }

            _nextSweepMs += _sweepIntervalMs;
        }

        MarkExpiredShards();
    }

    private void MarkExpiredShards()
    {
        foreach (MStream stream in Alive)
        {
            foreach (MShard shard in stream.Shards)
            {
                if (shard.ClosedAtMs is { } closed && Now - closed >= stream.RetentionMs && !shard.Expired)
                {
                    Count("closed shard expired");
                    shard.Expired = true;
                }
            }
        }
    }

    // ------------------------------------------------------------------ audit: fresh readers over everything

    private void Audit()
    {
        foreach (MStream stream in Alive)
        {
            foreach (MShard shard in stream.Shards.Where(s => !s.Expired))
            {
                using ShardReader probe = stream.Handle.OpenReader(new ShardId(shard.Index), ShardPosition.TrimHorizon);
                var seen = new List<Seen>();
                while (probe.TryRead(out RecordBatch batch))
                {
                    seen.AddRange(Snapshot(batch));
                }

                List<MRecord> expected = Expected(stream, shard, 0);
                MRecord[] matched = Match($"audit reader of {stream} shard {shard.Index}", stream, shard, expected, seen);
                int skipped = matched.Length > 0 ? expected.IndexOf(matched[0]) : expected.Count;
                if (matched.Length != expected.Count - skipped || (!TrimOldest && skipped > 0))
                {
                    throw Fail($"audit reader of {stream} shard {shard.Index}: read {matched.Length} records, the model has {expected.Count} readable");
                }

                string iterator = Await(_kinesis.GetShardIteratorAsync(new GetShardIteratorRequest
                {
                    StreamName = stream.Name,
                    ShardId = new ShardId(shard.Index).ToString(),
                    ShardIteratorType = ShardIteratorType.TRIM_HORIZON,
                })).ShardIterator!;
                GetRecordsResponse response = Await(_kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }));
                MRecord[] viaKinesis = Match($"audit GetRecords of {stream} shard {shard.Index}", stream, shard, Expected(stream, shard, 0), Snapshot(response.Records));
                if (viaKinesis.Length != matched.Length)
                {
                    throw Fail($"audit GetRecords of {stream} shard {shard.Index}: {viaKinesis.Length} records, a reader read {matched.Length}");
                }
            }
        }
    }

    // ------------------------------------------------------------------ invariants after every step

    private void CheckInvariants()
    {
        string[] names = [.. Alive.Select(s => s.Name).Order(StringComparer.Ordinal)];
        IReadOnlyList<string> listed = _engine.ListStreamNames();
        if (!names.SequenceEqual(listed))
        {
            throw Fail($"ListStreamNames is [{string.Join(", ", listed)}], the model has [{string.Join(", ", names)}]");
        }

        foreach (MStream stream in Alive)
        {
            CheckShards(stream);
        }

        CheckRetainedBytes();
        CheckPendingWaits();
    }

    private static void CheckShards(MStream stream)
    {
        ShardInfo[] listed = [.. stream.Handle.Shards];
        MShard[] live = [.. stream.Shards.Where(s => !s.Expired)];
        bool same = listed.Length == live.Length && listed.Zip(live).All(p =>
            p.First.ShardId.Index == p.Second.Index
            && p.First.HashKeyRange.StartingHashKey == p.Second.Start
            && p.First.HashKeyRange.EndingHashKey == p.Second.End
            && p.First.ParentShardId?.Index == p.Second.Parent
            && p.First.AdjacentParentShardId?.Index == p.Second.AdjacentParent
            && p.First.IsOpen == p.Second.IsOpen);
        if (!same)
        {
            throw Fail($"{stream} lists shards [{string.Join("; ", listed.Select(s => $"{s.ShardId.Index} {(s.IsOpen ? "open" : "closed")} parent {s.ParentShardId?.Index}"))}], the model has [{string.Join("; ", live.AsEnumerable())}]");
        }
    }

    private void CheckRetainedBytes()
    {
        if (Tolerates("retained"))
        {
            return;
        }

        long retained = _engine.RetainedBytes;

        // Each reader holds at most one segment back; a follower holds one per shard it reads.
        int openReaders = _readers.Count(r => !r.Disposed) + _followers.Where(f => !f.Ended).Sum(f => f.Stream.Shards.Count);
        if (retained < 0)
        {
            throw Fail($"RetainedBytes is negative: {retained}");
        }

        if (_cap is { } cap && retained > cap + (SegmentCharge * openReaders))
        {
            throw Fail($"RetainedBytes {retained} is above the cap {cap} plus one segment for each of {openReaders} readers");
        }

        // Every readable record of a live stream is stored: its key, payload and descriptor are charged.
        long lower = 0;
        long upperSegments = openReaders;
        foreach (MStream stream in Alive)
        {
            foreach (MShard shard in stream.Shards)
            {
                long bytes = 0, count = 0;
                foreach (MRecord r in shard.Records)
                {
                    if (!TrimOldest && !shard.Expired && Readable(stream, r))
                    {
                        lower += Encoding.UTF8.GetByteCount(r.Key) + r.Data.Length + 24;
                    }

                    if (r.ArrivalMs > stream.SweptBeforeMs)
                    {
                        bytes += Encoding.UTF8.GetByteCount(r.Key) + r.Data.Length + (r.Encrypted ? 28 : 0); // nonce and tag
                        count++;
                    }
                }

                // A sealed segment was sealed because the next claim (at most 5 records, under 20 KiB) did not fit: it
                // holds more than 12 KiB or more than 251 records. Plus a partly expired head and the tail.
                upperSegments += 3 + ((bytes + 12_287) / 12_288) + ((count + 127) / 128);
            }
        }

        if (retained < lower)
        {
            throw Fail($"RetainedBytes {retained} is below the {lower} bytes of the records the model says are readable");
        }

        long upper = upperSegments * SegmentCharge;
        if (retained > upper)
        {
            throw Fail($"RetainedBytes {retained} is above {upper}: more segments than the live records and {openReaders} readers can hold");
        }

        if (Alive.Count == 0 && openReaders == 0 && retained != 0)
        {
            throw Fail($"RetainedBytes is {retained} with no stream and no reader left");
        }
    }

    private void CheckPendingWaits()
    {
        foreach (MReader reader in _readers.Where(r => !r.Disposed && r.PendingWait is not null))
        {
            ValueTask<bool> wait = reader.PendingWait!.Value;
            bool ended = Ended(reader.Stream, reader.Shard);
            bool readable = !ended && Expected(reader.Stream, reader.Shard, reader.Next).Count > 0;
            if (!wait.IsCompleted)
            {
                if (ended || readable || !reader.Shard.IsOpen)
                {
                    throw Fail($"reader {reader.Id}: WaitToReadAsync still pending though {(ended ? "the reader has ended" : readable ? "records are readable" : "the shard was closed")}");
                }

                continue;
            }

            reader.PendingWait = null;
            bool result = wait.Result;
            Count(result ? "pending wait woken true" : "pending wait woken false");
            if (ended && result && !Tolerates("wait-ended"))
            {
                throw Fail($"reader {reader.Id}: a pending WaitToReadAsync completed true after {(reader.Stream.Deleted ? "its stream was deleted" : "its shard expired")}");
            }

            if (readable && !result)
            {
                throw Fail($"reader {reader.Id}: a pending WaitToReadAsync completed false with records readable");
            }
        }
    }

    // ------------------------------------------------------------------ teardown: nothing may be left

    private void Teardown()
    {
        foreach (MFollower f in _followers)
        {
            if (!f.Batches.DisposeAsync().AsTask().Wait(FollowerTimeout))
            {
                throw Fail($"{f}: DisposeAsync did not complete");
            }

            f.Ended = true;
        }

        foreach (MReader reader in _readers.Where(r => !r.Disposed))
        {
            reader.Reader.Dispose();
            reader.Disposed = true;
        }

        foreach (MStream stream in Alive)
        {
            _engine.DeleteStream(stream.Name);
            stream.Deleted = true;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static T Await<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void ExpectThrows<TException>(string what, Action action)
        where TException : Exception
    {
        try
        {
            action();
        }
        catch (TException)
        {
            return;
        }
        catch (Exception e)
        {
            throw Fail($"{what}: expected {typeof(TException).Name}, got {e.GetType().Name}: {e.Message}");
        }

        throw Fail($"{what}: expected {typeof(TException).Name}, nothing was thrown");
    }

    public void Dispose()
    {
        foreach (MReader reader in _readers.Where(r => !r.Disposed))
        {
            reader.Reader.Dispose();
        }

        _engine.Dispose();
    }
}
