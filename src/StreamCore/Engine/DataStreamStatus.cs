namespace StreamCore;

/// <summary>The life-cycle state of a stream, as Kinesis's StreamStatus.</summary>
public enum DataStreamStatus
{
    /// <summary>Being created: not yet readable or writable.</summary>
    Creating = 0,

    /// <summary>Ready for reads, writes and control-plane changes.</summary>
    Active = 1,

    /// <summary>A change (reshard, mode, encryption) is being applied; reads and writes continue.</summary>
    Updating = 2,

    /// <summary>Being deleted.</summary>
    Deleting = 3,
}

/// <summary>How a stream's capacity is managed.</summary>
public enum StreamCapacityMode
{
    /// <summary>A fixed number of shards, changed by resharding.</summary>
    Provisioned = 0,

    /// <summary>Kinesis manages shards; a new stream starts with 4.</summary>
    OnDemand = 1,
}
