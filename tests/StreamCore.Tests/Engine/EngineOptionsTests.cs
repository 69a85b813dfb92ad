using System.Reflection;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Storage;

namespace StreamCore.Tests.Engine;

public class EngineOptionsTests
{
    // Every option with a rule: how to break it, the value the message must show, and the rule it must state.
    private static readonly Dictionary<string, (Action<StreamEngineOptions> Break, string Value, string Rule, bool Range)> Bad = new()
    {
        ["AccountId"] = (o => o.AccountId = "12", "'12'", "must be 12 digits", false),
        ["Region"] = (o => o.Region = " ", "' '", "must not be null, empty or white space", false),
        ["Partition"] = (o => o.Partition = "", "''", "must not be null, empty or white space", false),
        ["TimeProvider"] = (o => o.TimeProvider = null!, "", "must not be null", false),
        ["StatusTransitionDelay"] = (o => o.StatusTransitionDelay = TimeSpan.FromSeconds(-1), "-00:00:01", "must be at least 00:00:00", true),
        ["SubscriptionLifetime"] = (o => o.SubscriptionLifetime = TimeSpan.Zero, "00:00:00", "must be greater than 00:00:00", true),
        ["SubscriptionHeartbeatInterval"] = (o => o.SubscriptionHeartbeatInterval = TimeSpan.FromSeconds(-5), "-00:00:05", "must be greater than 00:00:00", true),
        ["ShardLimit"] = (o => o.ShardLimit = 0, "0", "must be at least 1", true),
        ["OnDemandStreamCountLimit"] = (o => o.OnDemandStreamCountLimit = -1, "-1", "must be at least 0", true),
        ["MaxRetainedBytes"] = (o => o.MaxRetainedBytes = 0, "0", "must be at least 1", true),
        ["MemoryLimitPolicy"] = (o => o.MemoryLimitPolicy = (MemoryLimitPolicy)42, "42", "must be one of", true),
        ["RetentionSweepInterval"] = (o => o.RetentionSweepInterval = TimeSpan.Zero, "00:00:00", "must be greater than 00:00:00", true),
        ["IteratorSigningKey"] = (o => o.IteratorSigningKey = new byte[8], "8 bytes", "must be at least 16 bytes long", false),
        ["KeyProvider"] = (o => o.KeyProvider = null!, "", "must not be null", false),
        ["OnDemandScaling"] = (o => o.OnDemandScaling = null!, "", "must not be null", false),
        ["SegmentRecordCapacity"] = (o => o.SegmentRecordCapacity = 1000, "1000", "must be a power of two from 256 to 1048576", true),
        ["SegmentRecordCapacity.TooSmall"] = (o => o.SegmentRecordCapacity = 128, "128", "must be a power of two from 256 to 1048576", true),
        ["SegmentRecordCapacity.TooLarge"] = (o => o.SegmentRecordCapacity = 1 << 21, "2097152", "must be a power of two from 256 to 1048576", true),
        ["SegmentArenaBytes"] = (o => o.SegmentArenaBytes = 1024, "1024", "must be from 32768 to 1073741824", true),
        ["Throughput.ShardWriteBytesPerSecond"] = (o => o.Throughput = new() { ShardWriteBytesPerSecond = 0 }, "0", "must be at least 1", true),
        ["Throughput.ShardWriteRecordsPerSecond"] = (o => o.Throughput = new() { ShardWriteRecordsPerSecond = 0 }, "0", "must be at least 1", true),
        ["Throughput.ShardReadBytesPerSecond"] = (o => o.Throughput = new() { ShardReadBytesPerSecond = -1 }, "-1", "must be at least 1", true),
        ["Throughput.ShardGetRecordsPerSecond"] = (o => o.Throughput = new() { ShardGetRecordsPerSecond = 0 }, "0", "must be at least 1", true),
        ["Throughput.ShardGetShardIteratorPerSecond"] = (o => o.Throughput = new() { ShardGetShardIteratorPerSecond = 0 }, "0", "must be at least 1", true),
        ["Throughput.LargeResponsePenalty"] = (o => o.Throughput = new() { LargeResponsePenalty = TimeSpan.FromSeconds(-1) }, "-00:00:01", "must be at least 00:00:00", true),
        ["Throughput.SubscriptionBytesPerSecond"] = (o => o.Throughput = new() { SubscriptionBytesPerSecond = 0 }, "0", "must be at least 1", true),
        ["OnDemandScaling.SampleInterval"] = (o => o.OnDemandScaling.SampleInterval = TimeSpan.Zero, "00:00:00", "must be greater than 00:00:00", true),
        ["OnDemandScaling.ShardWriteBytesPerSecond"] = (o => o.OnDemandScaling.ShardWriteBytesPerSecond = 0, "0", "must be at least 1", true),
        ["OnDemandScaling.ShardWriteRecordsPerSecond"] = (o => o.OnDemandScaling.ShardWriteRecordsPerSecond = 0, "0", "must be at least 1", true),
        ["OnDemandScaling.HeadroomFactor"] = (o => o.OnDemandScaling.HeadroomFactor = 0.5, "0.5", "must be a finite number of at least 1", true),
        ["OnDemandScaling.HotShardThreshold"] = (o => o.OnDemandScaling.HotShardThreshold = 1.5, "1.5", "must be in (0, 1]", true),
        ["OnDemandScaling.MinimumShards"] = (o => o.OnDemandScaling.MinimumShards = 0, "0", "must be at least 1", true),
    };

    // Options that take any value of their type (no rule to break).
    private static readonly HashSet<string> Unconstrained = ["UseCoarseClock", "MeterFactory", "Throughput", "Throughput.EnforceControlPlaneRates"];

    public static TheoryData<string> BadOptions => new(Bad.Keys);

    internal static void Break(string key, StreamEngineOptions options) => Bad[key].Break(options);

    /// <summary>The message the engine gives for a broken option; the DI tests expect the same one.</summary>
    internal static string Option(string key) => "StreamEngineOptions." + key.Replace(".TooSmall", "", StringComparison.Ordinal).Replace(".TooLarge", "", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void A_bad_option_is_refused_with_its_name_its_value_and_the_rule(string key)
    {
        var clock = new CountingTimeProvider();
        var options = new StreamEngineOptions { TimeProvider = clock };
        (Action<StreamEngineOptions> breakIt, string value, string rule, bool range) = Bad[key];
        breakIt(options);

        ArgumentException ex = Assert.ThrowsAny<ArgumentException>(() => new StreamEngine(options));

        Assert.Equal(Option(key), ex.ParamName);
        Assert.StartsWith($"{Option(key)} {rule}", ex.Message, StringComparison.Ordinal);
        if (value.Length > 0)
        {
            Assert.Contains($"got {value}.", ex.Message, StringComparison.Ordinal);
        }

        if (range)
        {
            Assert.IsType<ArgumentOutOfRangeException>(ex);
        }

        Assert.Equal(0, clock.TimersCreated); // nothing created: no retention or scaling timer was started
    }

    [Fact]
    public void Every_settable_option_has_a_rule_under_test_or_takes_any_value()
    {
        IEnumerable<string> Members(Type type, string prefix) =>
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => prefix + p.Name);

        string[] all = [.. Members(typeof(StreamEngineOptions), ""), .. Members(typeof(ThroughputLimits), "Throughput."), .. Members(typeof(OnDemandScalingOptions), "OnDemandScaling.")];
        string[] uncovered = [.. all.Where(m => !Bad.ContainsKey(m) && !Unconstrained.Contains(m))];
        Assert.True(uncovered.Length == 0, "Options without a rule under test: " + string.Join(", ", uncovered));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(8192)]
    [InlineData(1 << 20)]
    public void A_power_of_two_segment_capacity_in_range_is_accepted(int capacity)
    {
        using var engine = new StreamEngine(new StreamEngineOptions { TimeProvider = new FakeTimeProvider(), SegmentRecordCapacity = capacity });
        Assert.Equal(capacity, engine.Options.SegmentRecordCapacity);
    }

    [Fact]
    public void Changing_the_options_after_the_engine_is_built_changes_nothing()
    {
        byte[] key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
        var options = new StreamEngineOptions
        {
            TimeProvider = new FakeTimeProvider(),
            AccountId = "123456789012",
            Throughput = new ThroughputLimits { ShardWriteRecordsPerSecond = 10 },
            IteratorSigningKey = key,
        };
        options.OnDemandScaling.MinimumShards = 2;
        using var engine = new StreamEngine(options);

        options.AccountId = "999999999999";
        options.Region = "eu-west-1";
        options.ShardLimit = 1;
        options.Throughput.ShardWriteRecordsPerSecond = 0; // invalid now: the engine must not see it
        options.OnDemandScaling.MinimumShards = 100;
        options.OnDemandScaling = new OnDemandScalingOptions { MinimumShards = 50 };
        key[0] = 99;

        Assert.Equal("123456789012", engine.AccountId);
        Assert.Equal("us-east-1", engine.Region);
        Assert.Equal(20_000, engine.Options.ShardLimit);
        Assert.NotSame(options.Throughput, engine.Options.Throughput);
        Assert.Equal(10, engine.Options.Throughput!.ShardWriteRecordsPerSecond);
        Assert.Equal(2, engine.Options.OnDemandScaling.MinimumShards);
        Assert.Equal(1, engine.Options.IteratorSigningKey![0]);
    }
}

/// <summary>A fake clock that counts the timers created on it.</summary>
internal sealed class CountingTimeProvider : FakeTimeProvider
{
    public int TimersCreated { get; private set; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        TimersCreated++;
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
