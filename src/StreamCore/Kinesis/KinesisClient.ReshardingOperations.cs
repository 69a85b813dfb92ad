using System.Text;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Hashing;
using CoreHashKeyRange = StreamCore.HashKeyRange;
using CorePosition = StreamCore.ShardPosition;
using EngineConsumerStatus = StreamCore.Engine.ConsumerStatus;

namespace StreamCore.Kinesis;

internal sealed partial class KinesisClient
{
    // ------------------------------------------------------------------ resharding

    public Task<SplitShardResponse> SplitShardAsync(SplitShardRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.NewStartingHashKey, "newStartingHashKey");
        Constraints.ExplicitHashKey(ref errors, request.NewStartingHashKey, "newStartingHashKey");
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        Constraints.ShardIdMember(ref errors, request.ShardToSplit, "shardToSplit");
        errors.ThrowIfAny();
        _ = ParseShardOrThrow(request, request.ShardToSplit!); // as AWS: an unparsable shard id before the stream
        StreamState stream = Resolve(request);
        if (PartitionKeyHash.TryParseExplicitHashKey(request.NewStartingHashKey, out UInt128 key) != ExplicitHashKeyParse.Ok)
        {
            throw new InvalidArgumentException($"NewStartingHashKey {request.NewStartingHashKey} used in SplitShard() on shard {request.ShardToSplit} in stream {stream.Name} under account {engine.AccountId} is not in the range [0, 2^128-1].");
        }

        Inject("SplitShard", stream.Name);
        engine.SplitShard(stream, request.ShardToSplit!, key, request.NewStartingHashKey!);
        return new SplitShardResponse();
    });

    public Task<MergeShardsResponse> MergeShardsAsync(MergeShardsRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        Constraints.ShardIdMember(ref errors, request.ShardToMerge, "shardToMerge");
        Constraints.ShardIdMember(ref errors, request.AdjacentShardToMerge, "adjacentShardToMerge");
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        errors.ThrowIfAny();
        _ = ParseShardOrThrow(request, request.ShardToMerge!); // as AWS: an unparsable shard id before the stream
        _ = ParseShardOrThrow(request, request.AdjacentShardToMerge!);
        StreamState stream = Resolve(request);
        Inject("MergeShards", stream.Name);
        engine.MergeShards(stream, request.ShardToMerge!, request.AdjacentShardToMerge!);
        return new MergeShardsResponse();
    });

    public Task<UpdateShardCountResponse> UpdateShardCountAsync(UpdateShardCountRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.ScalingType?.Value, "scalingType");
        errors.Enum(request.ScalingType?.Value, "scalingType", ScalingTypes);
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        errors.Required(request.TargetShardCount, "targetShardCount");
        errors.Range(request.TargetShardCount, "targetShardCount", 1, 100_000);
        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        Inject("UpdateShardCount", stream.Name);
        int before = engine.UpdateShardCount(stream, request.TargetShardCount!.Value);
        return new UpdateShardCountResponse
        {
            StreamName = stream.Name,
            StreamARN = stream.Arn,
            CurrentShardCount = before,
            TargetShardCount = request.TargetShardCount,
        };
    });

    public Task<UpdateStreamModeResponse> UpdateStreamModeAsync(UpdateStreamModeRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.StreamARN, "streamARN");
        Constraints.StreamArnMember(ref errors, request.StreamARN);
        errors.Required(request.StreamModeDetails?.StreamMode?.Value, "streamModeDetails.streamMode");
        errors.Enum(request.StreamModeDetails?.StreamMode?.Value, "streamModeDetails.streamMode", StreamModes);
        errors.ThrowIfAny();
        StreamCapacityMode mode = request.StreamModeDetails!.StreamMode!.Value == "ON_DEMAND" ? StreamCapacityMode.OnDemand : StreamCapacityMode.Provisioned;
        StreamState moded = engine.Resolve(null, request.StreamARN);
        Inject("UpdateStreamMode", moded.Name);
        engine.UpdateStreamMode(moded, mode);
        return new UpdateStreamModeResponse();
    });
}
