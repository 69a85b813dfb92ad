using System.Globalization;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Reading;
using CoreHashKeyRange = StreamCore.HashKeyRange;
using CorePosition = StreamCore.ShardPosition;
using EngineConsumerStatus = StreamCore.Engine.ConsumerStatus;

namespace StreamCore.Kinesis;

internal sealed partial class KinesisClient
{
    // ------------------------------------------------------------------ enhanced monitoring

    private static readonly string[] MetricNames = [.. StreamEngine.ShardLevelMetricNames, "ALL"];

    public Task<EnableEnhancedMonitoringResponse> EnableEnhancedMonitoringAsync(EnableEnhancedMonitoringRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        (StreamState stream, string[] before, string[] after) = SetMetrics(request, request.ShardLevelMetrics, enable: true, "EnableEnhancedMonitoring");
        return new EnableEnhancedMonitoringResponse { StreamName = stream.Name, StreamARN = stream.Arn, CurrentShardLevelMetrics = [.. before], DesiredShardLevelMetrics = [.. after] };
    });

    public Task<DisableEnhancedMonitoringResponse> DisableEnhancedMonitoringAsync(DisableEnhancedMonitoringRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        (StreamState stream, string[] before, string[] after) = SetMetrics(request, request.ShardLevelMetrics, enable: false, "DisableEnhancedMonitoring");
        return new DisableEnhancedMonitoringResponse { StreamName = stream.Name, StreamARN = stream.Arn, CurrentShardLevelMetrics = [.. before], DesiredShardLevelMetrics = [.. after] };
    });

    private (StreamState Stream, string[] Before, string[] After) SetMetrics(StreamAddressedRequest request, List<string>? metrics, bool enable, string operation)
    {
        var errors = default(ValidationErrors);
        errors.Size(metrics, "shardLevelMetrics", 1, 7);
        if (metrics is { Count: >= 1 and <= 7 })
        {
            for (int i = 0; i < metrics.Count; i++)
            {
                errors.Enum(metrics[i], string.Create(CultureInfo.InvariantCulture, $"shardLevelMetrics.{i + 1}.member"), MetricNames);
            }
        }

        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        Inject(operation, stream.Name);
        (string[] before, string[] after) = engine.SetShardLevelMetrics(stream, metrics!, enable);
        return (stream, before, after);
    }
}
