namespace StreamCore.Tests.Model;

/// <summary>A difference between the engine and the reference model.</summary>
public sealed class ModelViolationException(string message) : Exception(message);

/// <summary>One record as the model remembers it: who wrote it, what, when, and where it landed.</summary>
internal sealed class MRecord(int stream, int counter, string key, byte[] data, long arrivalMs, SequenceNumber sequenceNumber, int index, bool encrypted)
{
    /// <summary>Written while the stream was encrypted: stored as ciphertext, read back as the plaintext.</summary>
    public bool Encrypted { get; } = encrypted;

    public int Stream { get; } = stream;

    public int Counter { get; } = counter;

    public string Key { get; } = key;

    public byte[] Data { get; } = data;

    public long ArrivalMs { get; } = arrivalMs;

    public SequenceNumber SequenceNumber { get; } = sequenceNumber;

    /// <summary>Position in its shard, counted from 0 over the shard's life.</summary>
    public int Index { get; } = index;

    public override string ToString() => $"#{Stream}.{Counter}@{Index}";
}

/// <summary>One shard: its range, lineage, records and, under TrimOldest, how much of its head the cap has dropped.</summary>
internal sealed class MShard(int index, UInt128 start, UInt128 end, int? parent = null, int? adjacentParent = null)
{
    public int Index { get; } = index;

    public UInt128 Start { get; } = start;

    public UInt128 End { get; } = end;

    public int? Parent { get; } = parent;

    public int? AdjacentParent { get; } = adjacentParent;

    public long? ClosedAtMs { get; set; }

    public bool IsOpen => ClosedAtMs is null;

    /// <summary>Once a closed shard has aged out it stays gone, whatever happens to retention later.</summary>
    public bool Expired { get; set; }

    public List<MRecord> Records { get; } = [];

    public List<int> Children { get; } = [];

    /// <summary>Records below this index were dropped by the memory cap (TrimOldest), as readers have observed.</summary>
    public int Horizon { get; set; }

    public bool Contains(UInt128 hashKey) => Start <= hashKey && hashKey <= End;

    public override string ToString() => $"shard {Index} [{Start}..{End}]{(IsOpen ? "" : " closed")}{(Expired ? " expired" : "")}";
}

/// <summary>One incarnation of a stream (a name deleted and created again is a new incarnation).</summary>
internal sealed class MStream(int incarnation, string name, DataStream handle, long createdMs)
{
    public int Incarnation { get; } = incarnation;

    public string Name { get; } = name;

    public DataStream Handle { get; } = handle;

    public long CreatedMs { get; } = createdMs;

    public List<MShard> Shards { get; } = [];

    public bool Deleted { get; set; }

    public bool Encrypted { get; set; }

    public int RetentionHours { get; set; } = 24;

    public long RetentionMs => RetentionHours * 3_600_000L;

    /// <summary>An increase of retention never brings back what had expired: the old cutoff stays as a floor.</summary>
    public long ExpiredBeforeMs { get; set; } = long.MinValue;

    /// <summary>A lower bound of the cutoff the last retention sweep used (records at or before it may be physically gone).</summary>
    public long SweptBeforeMs { get; set; } = long.MinValue;

    public List<long> ScalingTimesMs { get; } = [];

    public IEnumerable<MShard> OpenShards => Shards.Where(s => s.IsOpen).OrderBy(s => s.Start);

    public override string ToString() => $"{Name}#{Incarnation}{(Deleted ? " (deleted)" : "")}";
}

/// <summary>A ShardReader and where the model says it stands.</summary>
internal sealed class MReader(int id, ShardReader reader, MStream stream, MShard shard, int next, int maxBatch)
{
    public int Id { get; } = id;

    public ShardReader Reader { get; } = reader;

    public MStream Stream { get; } = stream;

    public MShard Shard { get; } = shard;

    public int Next { get; set; } = next;

    public int MaxBatch { get; } = maxBatch;

    public bool Disposed { get; set; }

    /// <summary>Every TryRead counts: a batch is valid only until its reader reads again.</summary>
    public int Reads { get; set; }

    public ValueTask<bool>? PendingWait { get; set; }

    public override string ToString() => $"reader {Id} on {Stream} shard {Shard.Index} at {Next}";
}

/// <summary>A batch a test keeps after reading it, with what it showed when it was returned.</summary>
internal sealed class MHeld(MReader reader, RecordBatch batch, int readsAt, MRecord[] expected, OwnedRecord[] copies)
{
    /// <summary>RecordBatch.ToArray taken while the batch was current (and StreamRecord.Copy of its first record): they never go stale.</summary>
    public OwnedRecord[] Copies { get; } = copies;

    public MReader Reader { get; } = reader;

    public RecordBatch Batch { get; } = batch;

    public int ReadsAt { get; } = readsAt;

    public MRecord[] Expected { get; } = expected;

    public bool IsStale => Reader.Disposed || Reader.Reads != ReadsAt;
}

/// <summary>A Kinesis shard iterator and where the model says it stands.</summary>
internal sealed class MIterator(MStream stream, MShard shard, string token, int next, long issuedMs)
{
    public MStream Stream { get; } = stream;

    public MShard Shard { get; } = shard;

    public string Token { get; set; } = token;

    public int Next { get; set; } = next;

    public long IssuedMs { get; set; } = issuedMs;

    public bool Ended { get; set; }
}

/// <summary>A stream follower (DataStream.ReadStreamAsync) driven one batch at a time, and what it has delivered per shard.</summary>
internal sealed class MFollower(int id, MStream stream, IAsyncEnumerator<RecordBatch> batches)
{
    public int Id { get; } = id;

    public MStream Stream { get; } = stream;

    public IAsyncEnumerator<RecordBatch> Batches { get; } = batches;

    /// <summary>Set at the first MoveNextAsync: the follower chooses its starting shards then.</summary>
    public HashSet<int>? Initial { get; set; }

    /// <summary>Per shard, the index after the last record delivered (absent: the shard's start).</summary>
    public Dictionary<int, int> Next { get; } = [];

    public bool Ended { get; set; }

    public override string ToString() => $"follower {Id} of {Stream}";
}
