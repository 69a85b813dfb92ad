using StreamCore.Connectors;
using StreamCore.Errors;
using StreamCore.EventSources.Filtering;

namespace StreamCore.EventSources;

/// <summary>
/// The one seam between mappings and the filter pattern engine (<see cref="RecordFilter"/>, EventSources/Filtering):
/// patterns are compiled once at create and update time and matched per record as it is added to a batch.
/// </summary>
internal static class MappingFilters
{
    /// <summary>Lambda's default quota of filters per mapping.</summary>
    public const int MaxFilters = 5;

    /// <summary>The longest pattern, in characters.</summary>
    public const int MaxPatternLength = 4096;

    /// <summary>Compiles a mapping's patterns; an invalid one is Lambda's InvalidParameterValueException.</summary>
    public static RecordFilter Compile(IReadOnlyList<string?> patterns)
    {
        try
        {
            return RecordFilter.Compile(patterns, MaxFilters);
        }
        catch (KinesisException error) when (error.ErrorCode == nameof(Functions.InvalidParameterValueException))
        {
            throw new Functions.InvalidParameterValueException(error.Message);
        }
    }

    /// <summary>Whether a record passes the mapping's filters (a mapping without filters passes all).</summary>
    public static bool Matches(MappingSettings settings, in SourceRecord record, ShardId shardId, MappingRunner runner)
    {
        if (settings.Filter is not { } filter || ReferenceEquals(filter, RecordFilter.All))
        {
            return true;
        }

        var input = new FilterInput(record.Data.Span, record.PartitionKeyUtf8.Span, record.SequenceNumber, record.ApproximateArrivalTimestamp, shardId)
        {
            EventSourceArn = runner.Source.StreamArn,
            AwsRegion = runner.Region,
            InvokeIdentityArn = runner.InvokeIdentityArn,
        };
        return filter.Matches(input);
    }
}
