using StreamCore.Engine;
using StreamCore.Errors;

namespace StreamCore.Reading;

/// <summary>Turns a starting position into a log index, with Kinesis's rules and errors. Shared by both faces.</summary>
internal static class ShardPositions
{
    /// <summary>Checks that <paramref name="sequenceNumberText"/> is a sequence number of <paramref name="shard"/>.</summary>
    public static SequenceNumber ParseFor(StreamEngine engine, StreamState stream, ShardState shard, string sequenceNumberText)
    {
        if (!SequenceNumber.TryParse(sequenceNumberText, out SequenceNumber sequenceNumber))
        {
            throw ErrorMessages.SequenceNumberInvalid(sequenceNumberText, shard.IdText, stream.Name, engine.AccountId);
        }

        Validate(engine, stream, shard, sequenceNumber);
        return sequenceNumber;
    }

    public static void Validate(StreamEngine engine, StreamState stream, ShardState shard, SequenceNumber sequenceNumber)
    {
        if (sequenceNumber.ShardIndex != shard.Id.Index)
        {
            throw ErrorMessages.SequenceNumberWrongShard(sequenceNumber.ShardId, shard.Id);
        }

        if (sequenceNumber.ShardCreationSeconds != shard.CreationSeconds)
        {
            throw ErrorMessages.SequenceNumberWrongStream(sequenceNumber.ToString(), shard.IdText, stream.Name, engine.AccountId);
        }
    }

    /// <summary>The log index a read from <paramref name="position"/> starts at (LATEST is fixed now).</summary>
    public static long Resolve(StreamEngine engine, StreamState stream, ShardState shard, ShardPosition position, long nowMs)
    {
        switch (position.Kind)
        {
            case ShardPositionKind.TrimHorizon:
                return shard.Log.FirstRetainedIndex;
            case ShardPositionKind.Latest:
                return shard.Log.EndIndex;
            case ShardPositionKind.AtSequenceNumber:
                Validate(engine, stream, shard, position.SequenceNumber);
                return ShardState.IndexOf(position.SequenceNumber);
            case ShardPositionKind.AfterSequenceNumber:
                Validate(engine, stream, shard, position.SequenceNumber);
                return position.SequenceNumber.SequenceIndex;
            case ShardPositionKind.AtTimestamp:
                long t = position.Timestamp.ToUnixTimeMilliseconds();
                if (t > nowMs)
                {
                    throw ErrorMessages.TimestampInFuture(t, nowMs);
                }

                return shard.Log.FindFirstArrivedAtOrAfter(t);
            default:
                throw new ArgumentOutOfRangeException(nameof(position), position.Kind, "Unknown starting position kind.");
        }
    }

    /// <summary>How far a reader at <paramref name="nextIndex"/> is behind the tip (see <see cref="ShardState.MillisBehindLatest"/>).</summary>
    public static long MillisBehindLatest(ShardState shard, long nextIndex, long nowMs) => shard.MillisBehindLatest(nextIndex, nowMs);
}
