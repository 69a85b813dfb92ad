using System.Security.Cryptography;
using StreamCore.Engine.Encryption;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Hashing;
using StreamCore.Engine.Metrics;
using StreamCore.Storage;

namespace StreamCore;

/// <summary>Stream control plane: create, delete, status transitions, addressing, tags, retention, encryption, settings.</summary>
public sealed partial class StreamEngine
{
    internal string StreamArnOf(string name) => StreamArn.Format(Options.Partition, Options.Region, Options.AccountId, name);

    internal StreamState CreateStreamCore(string streamName, int? shardCount, StreamCapacityMode mode, IReadOnlyDictionary<string, string>? tags, int? maxRecordSizeKiB)
    {
        var errors = default(ValidationErrors);
        CreateStreamShape(ref errors, streamName, shardCount, mode, maxRecordSizeKiB);
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
                throw ErrorMessages.ShardLimit(AccountId, Region, open, Options.ShardLimit, shards);
            }

            if (mode == StreamCapacityMode.OnDemand && _streams.Values.Count(s => s.Mode == StreamCapacityMode.OnDemand) >= Options.OnDemandStreamCountLimit)
            {
                throw new LimitExceededException($"This request would exceed the on-demand stream count limit of {Options.OnDemandStreamCountLimit} for account {AccountId}.");
            }

            DateTimeOffset now = Time.GetUtcNow();
            var stream = new StreamState(streamName, StreamArnOf(streamName), now, mode)
            {
                Incarnation = ++_streamIncarnations,
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

    /// <summary>
    /// CreateStream's member constraints, in the order AWS reports them (shardCount, then streamName, as recorded by
    /// kinesalite's tests against AWS), so that a face can report them together with its own members.
    /// </summary>
    internal static void CreateStreamShape(ref ValidationErrors errors, string? streamName, int? shardCount, StreamCapacityMode mode, int? maxRecordSizeKiB)
    {
        if (mode == StreamCapacityMode.Provisioned)
        {
            errors.Required(shardCount, "shardCount");
        }

        errors.Range(shardCount, "shardCount", 1, Constraints.MaxShardCount);
        errors.Required(streamName, "streamName");
        Constraints.StreamName(ref errors, streamName);
        errors.Range(maxRecordSizeKiB, "maxRecordSizeInKiB", Constraints.MinMaxRecordSizeKiB, Constraints.MaxMaxRecordSizeKiB);
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
        // The members' constraints come first (an empty name fails them: ValidationException); only a request
        // naming neither gets the InvalidArgumentException.
        var errors = default(ValidationErrors);
        Constraints.StreamAddress(ref errors, streamName, streamArn);
        errors.ThrowIfAny();
        bool hasName = streamName is not null;
        bool hasArn = streamArn is not null;
        if (!hasName && !hasArn)
        {
            throw ErrorMessages.BothAddressesEmpty();
        }

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
}
