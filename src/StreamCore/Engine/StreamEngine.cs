using System.Collections.Concurrent;
using System.Security.Cryptography;
using StreamCore.Encryption;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Hashing;
using StreamCore.Kinesis;
using StreamCore.Metrics;
using StreamCore.Reading;
using StreamCore.Storage;
using StreamCore.Throughput;

namespace StreamCore;

/// <summary>
/// An in-process Kinesis Data Streams engine: one AWS account in one region. It owns the streams, their shards
/// and records, and takes all time from <see cref="StreamEngineOptions.TimeProvider"/>. Several engines may live in
/// one process (one per test); they share nothing. Dispose the engine to stop its timers and release waiting readers.
/// </summary>
/// <remarks>
/// Two faces stand over one engine: <see cref="CreateKinesisClient"/> returns a Kinesis-shaped
/// <see cref="IKinesisClient"/> for code written against the AWS SDK, and <see cref="CreateStream(string, int)"/> /
/// <see cref="GetStream"/> return <see cref="DataStream"/> handles for allocation-free event-bus use.
/// </remarks>
public sealed partial class StreamEngine : IDisposable
{
    private const int MaxStreamsCreating = 5;

    private readonly ConcurrentDictionary<string, StreamState> _streams = new(StringComparer.Ordinal);
    private readonly Lock _control = new();
    private readonly ITimer _retentionSweep;
    private readonly ITimer _onDemandScaler;
    private int _disposed;

    /// <summary>Creates an engine with default options (account 000000000000, us-east-1, system clock).</summary>
    public StreamEngine()
        : this(new StreamEngineOptions())
    {
    }

    /// <summary>Creates an engine.</summary>
    /// <param name="options">The engine's options; validated and copied.</param>
    public StreamEngine(StreamEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Time = options.TimeProvider;
        Clock = new EngineClock(options.TimeProvider, options.UseCoarseClock);
        Throughput = options.Throughput is { } limits ? new ThroughputGovernor(limits, options.AccountId) : null;
        Metrics = new StreamMetrics(options.AccountId, options.Region);
        Budget = new StorageBudget(options.MaxRetainedBytes, options.MemoryLimitPolicy, options.SegmentRecordCapacity, options.SegmentArenaBytes);
        Tokens = new TokenSigner(options.IteratorSigningKey is { } key ? (byte[])key.Clone() : RandomNumberGenerator.GetBytes(32));
        Iterators = new ShardIteratorCodec(Tokens);
        _retentionSweep = Time.CreateTimer(static s => ((StreamEngine)s!).SweepRetention(), this, options.RetentionSweepInterval, options.RetentionSweepInterval);
        TimeSpan sample = options.OnDemandScaling.SampleInterval;
        _onDemandScaler = Time.CreateTimer(static s => ((StreamEngine)s!).ScaleOnDemandStreams(), this, sample, sample);
    }

    /// <summary>The account id this engine stands for.</summary>
    public string AccountId => Options.AccountId;

    /// <summary>The region this engine stands for.</summary>
    public string Region => Options.Region;

    /// <summary>The engine's clock.</summary>
    public TimeProvider TimeProvider => Time;

    /// <summary>Fault injection for the Kinesis-shaped client: rules that make chosen calls fail (see <see cref="FaultRule"/>).</summary>
    public FaultInjector Faults { get; } = new();

    /// <summary>Bytes currently retained for records across all streams (counted per storage segment).</summary>
    public long RetainedBytes => Budget.RetainedBytes;

    internal StreamEngineOptions Options { get; }

    internal TimeProvider Time { get; }

    internal StorageBudget Budget { get; }

    /// <summary>Seals shard iterators and pagination tokens with the engine's key.</summary>
    internal TokenSigner Tokens { get; }

    internal ShardIteratorCodec Iterators { get; }

    internal EngineClock Clock { get; }

    /// <summary>The engine's meter and instruments (named after Kinesis's CloudWatch metrics).</summary>
    internal StreamMetrics Metrics { get; }

    /// <summary>The throughput limits in force, or null when they are off.</summary>
    internal ThroughputGovernor? Throughput { get; }

    /// <summary>MD5 of hot partition keys, shared by every stream (the hash does not depend on the stream).</summary>
    internal PartitionKeyHashCache KeyHashes { get; } = new();

    internal long NowMs => Clock.NowMs;

    /// <summary>Returns a Kinesis-shaped client over this engine. Clients are cheap, thread-safe and share the engine.</summary>
    public IKinesisClient CreateKinesisClient() => new KinesisClient(this);

    /// <summary>Creates a provisioned stream with <paramref name="shardCount"/> shards of equal hash key width.</summary>
    /// <param name="streamName">1-128 characters of <c>[a-zA-Z0-9_.-]</c>, unique in the engine.</param>
    /// <param name="shardCount">The number of shards, at least 1.</param>
    /// <returns>A handle on the stream; it is ACTIVE at once unless a status delay is configured.</returns>
    /// <exception cref="ResourceInUseException">A stream of that name exists.</exception>
    /// <exception cref="LimitExceededException">The account's shard quota would be exceeded.</exception>
    /// <exception cref="ValidationException">The name or shard count is malformed.</exception>
    public DataStream CreateStream(string streamName, int shardCount) =>
        new(this, CreateStreamCore(streamName, shardCount, StreamCapacityMode.Provisioned, null, null));

    /// <summary>Creates an on-demand stream (4 shards) or a provisioned one.</summary>
    /// <param name="streamName">1-128 characters of <c>[a-zA-Z0-9_.-]</c>, unique in the engine.</param>
    /// <param name="mode">The capacity mode.</param>
    /// <param name="shardCount">Required for provisioned streams; must be omitted for on-demand ones.</param>
    /// <returns>A handle on the stream.</returns>
    public DataStream CreateStream(string streamName, StreamCapacityMode mode, int? shardCount = null) =>
        new(this, CreateStreamCore(streamName, shardCount, mode, null, null));

    /// <summary>Returns a handle on an existing stream.</summary>
    /// <param name="streamName">The stream's name.</param>
    /// <returns>A handle on the stream.</returns>
    /// <exception cref="ResourceNotFoundException">No such stream.</exception>
    public DataStream GetStream(string streamName)
    {
        ArgumentNullException.ThrowIfNull(streamName);
        return new DataStream(this, Resolve(streamName, null));
    }

    /// <summary>Deletes a stream; its records are released and its readers complete.</summary>
    /// <param name="streamName">The stream's name.</param>
    /// <exception cref="ResourceNotFoundException">No such stream.</exception>
    public void DeleteStream(string streamName)
    {
        ArgumentNullException.ThrowIfNull(streamName);
        DeleteStreamCore(Resolve(streamName, null), enforceConsumerDeletion: false);
    }

    /// <summary>The names of all streams, in ordinal order.</summary>
    /// <returns>A snapshot of the stream names.</returns>
    public IReadOnlyList<string> ListStreamNames() => [.. _streams.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Stops the engine's timers, closes every stream and releases readers waiting on them.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _retentionSweep.Dispose();
        _onDemandScaler.Dispose();
        Metrics.Dispose();
        lock (_control)
        {
            foreach (StreamState stream in _streams.Values)
            {
                stream.TransitionTimer?.Dispose();
                foreach (ShardState shard in stream.Shards)
                {
                    shard.Log.Release();
                }
            }

            _streams.Clear();
        }
    }

    // ---------------------------------------------------------------- control plane

    internal string StreamArnOf(string name) => StreamArn.Format(Options.Partition, Options.Region, Options.AccountId, name);

    internal StreamState CreateStreamCore(string streamName, int? shardCount, StreamCapacityMode mode, IReadOnlyDictionary<string, string>? tags, int? maxRecordSizeKiB)
    {
        var errors = default(ValidationErrors);
        errors.Required(streamName, "streamName");
        Constraints.StreamName(ref errors, streamName);
        if (mode == StreamCapacityMode.Provisioned)
        {
            errors.Required(shardCount, "shardCount");
        }

        errors.Range(shardCount, "shardCount", 1, Constraints.MaxShardCount);
        errors.Range(maxRecordSizeKiB, "maxRecordSizeInKiB", Constraints.MinMaxRecordSizeKiB, Constraints.MaxMaxRecordSizeKiB);
        errors.ThrowIfAny();
        if (mode == StreamCapacityMode.OnDemand && shardCount is not null)
        {
            throw new InvalidArgumentException("ShardCount is not expected when StreamMode=ON_DEMAND");
        }

        if (tags is not null)
        {
            TagRules.ValidateAdd(tags, existing: null);
        }

        int shards = shardCount ?? 4;
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_control)
        {
            if (_streams.ContainsKey(streamName))
            {
                throw ErrorMessages.StreamExists(streamName, AccountId);
            }

            if (_streams.Values.Count(s => s.Status == DataStreamStatus.Creating) >= MaxStreamsCreating)
            {
                throw new LimitExceededException($"The number of streams in CREATING state has reached the limit of {MaxStreamsCreating} for account {AccountId}. Wait for a stream to become ACTIVE and retry.");
            }

            int open = OpenShardCountLocked();
            if (open + shards > Options.ShardLimit)
            {
                throw ErrorMessages.ShardLimit(shards, open, Options.ShardLimit);
            }

            if (mode == StreamCapacityMode.OnDemand && _streams.Values.Count(s => s.Mode == StreamCapacityMode.OnDemand) >= Options.OnDemandStreamCountLimit)
            {
                throw new LimitExceededException($"This request would exceed the on-demand stream count limit of {Options.OnDemandStreamCountLimit} for account {AccountId}.");
            }

            DateTimeOffset now = Time.GetUtcNow();
            var stream = new StreamState(streamName, StreamArnOf(streamName), now, mode)
            {
                MaxRecordSizeKiB = maxRecordSizeKiB ?? 1024,
            };
            long creationSeconds = now.ToUnixTimeSeconds();
            HashKeyRange[] ranges = ShardLayout.Uniform(shards);
            var states = new ShardState[shards];
            for (int i = 0; i < shards; i++)
            {
                states[i] = new ShardState(new ShardId(i), ranges[i], creationSeconds, now.ToUnixTimeMilliseconds(), NewLog(stream));
            }

            stream.Shards = states;
            stream.Router = new HashKeyRouter<ShardState>(states.Select(s => (s.Range, s)));
            if (tags is not null)
            {
                foreach ((string key, string value) in tags)
                {
                    stream.Tags[key] = value;
                }
            }

            _streams[streamName] = stream;
            Transition(stream, DataStreamStatus.Creating, DataStreamStatus.Active, apply: null);
            return stream;
        }
    }

    internal ShardLog NewLog(StreamState stream) =>
        new(Budget, Options.SegmentRecordCapacity, Options.SegmentArenaBytes, () => ExpiryCutoff(stream, NowMs));

    internal void DeleteStreamCore(StreamState stream, bool enforceConsumerDeletion)
    {
        lock (_control)
        {
            if (!_streams.TryGetValue(stream.Name, out StreamState? current) || current != stream)
            {
                throw ErrorMessages.StreamNotFound(stream.Name, AccountId);
            }

            if (stream.Status == DataStreamStatus.Deleting)
            {
                return; // already being deleted: Kinesis accepts the repeat
            }

            if (stream.Consumers.Count > 0 && !enforceConsumerDeletion)
            {
                throw new ResourceInUseException($"Stream {stream.Name} under account {AccountId} has {stream.Consumers.Count} registered consumers. Deregister them first, or set EnforceConsumerDeletion to delete them with the stream.");
            }

            foreach (ConsumerState consumer in stream.Consumers.Values.ToArray())
            {
                consumer.TransitionTimer?.Dispose();
                RemoveConsumerLocked(consumer);
            }

            stream.TransitionTimer?.Dispose();
            Transition(stream, DataStreamStatus.Deleting, null, apply: () => RemoveLocked(stream));
        }
    }

    private void RemoveLocked(StreamState stream)
    {
        if (_streams.TryGetValue(stream.Name, out StreamState? current) && current == stream)
        {
            _streams.TryRemove(stream.Name, out _);
        }

        foreach (ShardState shard in stream.Shards)
        {
            shard.Log.Release();
        }
    }

    /// <summary>
    /// Moves <paramref name="stream"/> to <paramref name="during"/>, then after the configured delay to
    /// <paramref name="after"/> (or removes it when null) and runs <paramref name="apply"/>. Called under the lock.
    /// </summary>
    internal void Transition(StreamState stream, DataStreamStatus during, DataStreamStatus? after, Action? apply)
    {
        stream.Status = during;
        stream.TransitionTimer = AfterStatusDelay(() => stream.Status == during, () =>
        {
            apply?.Invoke();
            if (after is { } next)
            {
                stream.Status = next;
            }

            stream.TransitionTimer?.Dispose();
            stream.TransitionTimer = null;
        });
    }

    /// <summary>
    /// Runs <paramref name="complete"/> now when status delays are off, else after the delay on the engine's clock,
    /// under the control lock, if <paramref name="stillDue"/> then (nothing superseded the transition). Called under
    /// the control lock; returns the pending timer, if any.
    /// </summary>
    internal ITimer? AfterStatusDelay(Func<bool> stillDue, Action complete)
    {
        TimeSpan delay = Options.StatusTransitionDelay;
        if (delay == TimeSpan.Zero)
        {
            complete();
            return null;
        }

        return Time.CreateTimer(
            _ =>
            {
                lock (_control)
                {
                    if (stillDue())
                    {
                        complete();
                    }
                }
            },
            null,
            delay,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Finds a stream by name and/or ARN as Kinesis does: at least one is required; when both are given they must
    /// agree; an ARN of another account or region names a stream that does not exist here.
    /// </summary>
    internal StreamState Resolve(string? streamName, string? streamArn)
    {
        bool hasName = !string.IsNullOrEmpty(streamName);
        bool hasArn = !string.IsNullOrEmpty(streamArn);
        if (!hasName && !hasArn)
        {
            throw ErrorMessages.BothAddressesEmpty();
        }

        var errors = default(ValidationErrors);
        Constraints.StreamName(ref errors, streamName);
        Constraints.StreamArnMember(ref errors, streamArn);
        errors.ThrowIfAny();

        string name = streamName!;
        if (hasArn)
        {
            _ = StreamArn.TryParse(streamArn!, out StreamArn arn);
            if (hasName && arn.StreamName != streamName)
            {
                throw ErrorMessages.AddressMismatch(streamName!, streamArn!);
            }

            if (arn.AccountId != AccountId || arn.Region != Region || arn.Partition != Options.Partition)
            {
                throw ErrorMessages.StreamNotFound(arn.StreamName, arn.AccountId);
            }

            name = arn.StreamName;
        }

        return _streams.TryGetValue(name, out StreamState? stream)
            ? stream
            : throw ErrorMessages.StreamNotFound(name, AccountId);
    }

    internal void RequireActive(StreamState stream)
    {
        DataStreamStatus status = stream.Status;
        if (status != DataStreamStatus.Active)
        {
            throw ErrorMessages.StreamNotActive(stream.Name, AccountId, StatusText(status));
        }
    }

    internal static string StatusText(DataStreamStatus status) => status switch
    {
        DataStreamStatus.Creating => "CREATING",
        DataStreamStatus.Active => "ACTIVE",
        DataStreamStatus.Updating => "UPDATING",
        _ => "DELETING",
    };

    internal IReadOnlyList<StreamState> StreamsSnapshot() => [.. _streams.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    internal int OpenShardCount()
    {
        lock (_control)
        {
            return OpenShardCountLocked();
        }
    }

    private int OpenShardCountLocked() => _streams.Values.Sum(s => s.OpenShardCount);

    internal int OnDemandStreamCount()
    {
        lock (_control)
        {
            return _streams.Values.Count(s => s.Mode == StreamCapacityMode.OnDemand);
        }
    }

    internal void AddTags(StreamState stream, IReadOnlyDictionary<string, string> tags)
    {
        lock (_control)
        {
            RequireActive(stream);
            TagRules.ValidateAdd(tags, stream.Tags);
            foreach ((string key, string value) in tags)
            {
                stream.Tags[key] = value;
            }
        }
    }

    internal void RemoveTags(StreamState stream, IReadOnlyList<string> keys)
    {
        lock (_control)
        {
            RequireActive(stream);
            foreach (string key in keys)
            {
                stream.Tags.Remove(key);
            }
        }
    }

    internal KeyValuePair<string, string>[] TagsOf(StreamState stream)
    {
        lock (_control)
        {
            return [.. stream.Tags];
        }
    }

    internal void ChangeRetention(StreamState stream, int hours, bool increase)
    {
        if (hours < Constraints.MinRetentionHours)
        {
            throw ErrorMessages.RetentionTooShort(hours);
        }

        if (hours > Constraints.MaxRetentionHours)
        {
            throw ErrorMessages.RetentionTooLong(hours);
        }

        lock (_control)
        {
            RequireActive(stream);
            int current = stream.RetentionHours;
            if (increase && hours < current)
            {
                throw ErrorMessages.RetentionIncreaseBelowCurrent(hours, stream.Name, current);
            }

            if (!increase && hours > current)
            {
                throw ErrorMessages.RetentionDecreaseAboveCurrent(hours, stream.Name, current);
            }

            // A decrease hides older records at once: reads filter by arrival. An increase must not bring back records
            // that had already expired under the old period but are still stored, so the old cutoff is kept as a floor.
            if (increase)
            {
                long cutoff = NowMs - stream.RetentionMs;
                foreach (ShardState shard in stream.Shards)
                {
                    shard.Log.TrimExpired(cutoff);
                }

                stream.ExpiredBeforeMs = Math.Max(stream.ExpiredBeforeMs, cutoff);
            }

            stream.RetentionHours = hours;
        }
    }

    internal void StartEncryption(StreamState stream, string keyId)
    {
        lock (_control)
        {
            RequireActive(stream);
            (ReadOnlyMemory<byte> key, string canonical) = Options.KeyProvider.GetKey(keyId); // KMS errors, before any change
            RecordCipher cipher = stream.Ciphers.FirstOrDefault(c => c.CanonicalKeyId == canonical)
                ?? new RecordCipher(keyId, key, stream.Ciphers.Length) { CanonicalKeyId = canonical };
            ChangeEncryption(stream, "KMS", keyId, cipher);
        }
    }

    private void ChangeEncryption(StreamState stream, string type, string? keyId, RecordCipher? cipher) =>
        Transition(stream, DataStreamStatus.Updating, DataStreamStatus.Active, () =>
        {
            if (cipher is not null && !stream.Ciphers.Contains(cipher))
            {
                stream.Ciphers = [.. stream.Ciphers, cipher];
            }

            stream.ActiveCipher = cipher;
            stream.EncryptionType = type;
            stream.KeyId = keyId;
        });

    /// <summary>Checks with the key provider that every key the stream has used is still usable (KMS errors otherwise).</summary>
    internal void RequireKeys(StreamState stream, bool activeOnly)
    {
        if (activeOnly)
        {
            if (stream.ActiveCipher is { } active)
            {
                Options.KeyProvider.GetKey(active.KeyId);
            }

            return;
        }

        foreach (RecordCipher cipher in stream.Ciphers)
        {
            Options.KeyProvider.GetKey(cipher.KeyId);
        }
    }

    internal void StopEncryption(StreamState stream, string keyId)
    {
        lock (_control)
        {
            RequireActive(stream);
            if (stream.EncryptionType != "KMS")
            {
                throw new InvalidArgumentException($"Encryption is not enabled on stream {stream.Name} under account {AccountId}.");
            }

            if (!string.Equals(stream.KeyId, keyId, StringComparison.Ordinal))
            {
                throw new InvalidArgumentException($"KeyId {keyId} does not match the key {stream.KeyId} currently used to encrypt stream {stream.Name} under account {AccountId}.");
            }

            ChangeEncryption(stream, "NONE", null, null);
        }
    }

    /// <summary>Turns shard-level metrics on (or off); returns the metrics before and after.</summary>
    internal (string[] Before, string[] After) SetShardLevelMetrics(StreamState stream, IEnumerable<string> metrics, bool enable)
    {
        lock (_control)
        {
            RequireActive(stream);
            string[] before = [.. stream.ShardLevelMetrics];
            string[] names = [.. metrics.SelectMany(m => m == "ALL" ? StreamMetrics.ShardLevelMetricNames : [m])];
            string[] after = enable
                ? [.. StreamMetrics.ShardLevelMetricNames.Where(m => before.Contains(m) || names.Contains(m))]
                : [.. before.Where(m => !names.Contains(m))];
            stream.ShardLevelMetrics = after;
            return (before, after);
        }
    }

    internal void UpdateMaxRecordSize(StreamState stream, int kib)
    {
        lock (_control)
        {
            RequireActive(stream);
            stream.MaxRecordSizeKiB = kib;
        }
    }

    private void SweepRetention()
    {
        long now = NowMs;
        foreach (StreamState stream in _streams.Values)
        {
            long cutoff = ExpiryCutoff(stream, now);
            foreach (ShardState shard in stream.Shards)
            {
                if (shard.IsExpired(now, stream.RetentionMs))
                {
                    shard.Log.Release(); // a closed shard whose data all aged out: its storage goes back
                }
                else
                {
                    shard.Log.TrimExpired(cutoff);
                }
            }
        }
    }

    // ---------------------------------------------------------------- data plane

    /// <summary>The cutoff a read uses: records that arrived at or before it are expired.</summary>
    internal static long ExpiryCutoff(StreamState stream, long nowMs) => Math.Max(nowMs - stream.RetentionMs, stream.ExpiredBeforeMs);

    /// <summary>Throws unless the stream accepts writes (not CREATING; DELETING streams still do, as in Kinesis).</summary>
    internal void RequireWritable(StreamState stream)
    {
        if (stream.Status == DataStreamStatus.Creating)
        {
            throw ErrorMessages.StreamNotFound(stream.Name, AccountId);
        }
    }

    /// <summary>Appends one record to the shard that owns <paramref name="hashKey"/>. Validation is the caller's.</summary>
    internal SequenceNumber Append(StreamState stream, UInt128 hashKey, ReadOnlySpan<byte> partitionKeyUtf8, ReadOnlySpan<byte> data, long nowMs, out ShardState shard)
    {
        if (stream.ActiveCipher is { } cipher)
        {
            return AppendEncrypted(stream, cipher, hashKey, partitionKeyUtf8, data, nowMs, out shard);
        }

        return AppendStored(stream, hashKey, partitionKeyUtf8, data, data.Length, 1, nowMs, out shard);
    }

    private SequenceNumber AppendEncrypted(StreamState stream, RecordCipher cipher, UInt128 hashKey, ReadOnlySpan<byte> partitionKeyUtf8, ReadOnlySpan<byte> data, long nowMs, out ShardState shard)
    {
        int length = data.Length + RecordCipher.Overhead;
        byte[]? rented = length > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> stored = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            cipher.Encrypt(data, stored);
            return AppendStored(stream, hashKey, partitionKeyUtf8, stored, data.Length, cipher.RecordKind, nowMs, out shard);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private SequenceNumber AppendStored(StreamState stream, UInt128 hashKey, ReadOnlySpan<byte> partitionKeyUtf8, ReadOnlySpan<byte> data, int plainLength, int kind, long nowMs, out ShardState shard)
    {
        while (true)
        {
            shard = stream.Router!.Route(hashKey);
            AppendStatus status = shard.Log.Append(partitionKeyUtf8, data, nowMs, out long index, kind);
            if (status == AppendStatus.Appended)
            {
                StreamMetrics.Add(Metrics.IncomingRecords, 1, stream, shard);
                StreamMetrics.Add(Metrics.IncomingBytes, partitionKeyUtf8.Length + plainLength, stream, shard);
                return shard.SequenceNumberAt(index, nowMs);
            }

            // A reshard publishes the new router before it closes the parents, so a closed shard means "route again";
            // the same closed shard again means the stream itself is gone.
            if (status != AppendStatus.Closed || stream.Router!.Route(hashKey) == shard)
            {
                throw AppendFailure(stream, shard, status);
            }
        }
    }

    internal Exception AppendFailure(StreamState stream, ShardState shard, AppendStatus status) => status switch
    {
        AppendStatus.MemoryFull => ErrorMessages.MemoryCapReached(shard.IdText, stream.Name, AccountId, Budget.Cap, Budget.Policy.ToString()),
        _ => ErrorMessages.StreamNotFound(stream.Name, AccountId),
    };
}
