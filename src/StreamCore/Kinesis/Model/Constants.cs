namespace StreamCore.Kinesis;

/// <summary>
/// A string constant of the Kinesis API, shaped like the AWS SDK's <c>ConstantClass</c>: compare with <c>==</c>,
/// assign from a string, read <see cref="Value"/>.
/// </summary>
public abstract class ConstantClass : IEquatable<ConstantClass>
{
    /// <summary>Creates a constant.</summary>
    /// <param name="value">Its wire value.</param>
    protected ConstantClass(string value) => Value = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>The wire value, for example <c>TRIM_HORIZON</c>.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <inheritdoc />
    public bool Equals(ConstantClass? other) => other is not null && other.GetType() == GetType() && other.Value == Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ConstantClass other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    /// <summary>Compares two constants by type and value.</summary>
    public static bool operator ==(ConstantClass? left, ConstantClass? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two constants by type and value.</summary>
    public static bool operator !=(ConstantClass? left, ConstantClass? right) => !(left == right);

    /// <summary>The wire value of a constant (null stays null).</summary>
    public static implicit operator string?(ConstantClass? constant) => constant?.Value;
}

/// <summary>A stream's status: CREATING, DELETING, ACTIVE, UPDATING.</summary>
public sealed class StreamStatus : ConstantClass
{
    /// <summary>Being created.</summary>
    public static readonly StreamStatus CREATING = new("CREATING");

    /// <summary>Being deleted.</summary>
    public static readonly StreamStatus DELETING = new("DELETING");

    /// <summary>Ready.</summary>
    public static readonly StreamStatus ACTIVE = new("ACTIVE");

    /// <summary>A change is being applied.</summary>
    public static readonly StreamStatus UPDATING = new("UPDATING");

    /// <summary>Creates a constant (use the static members).</summary>
    /// <param name="value">The wire value.</param>
    public StreamStatus(string value)
        : base(value)
    {
    }

    /// <summary>Converts a wire value.</summary>
    public static implicit operator StreamStatus?(string? value) => value is null ? null : new(value);

    internal static StreamStatus From(DataStreamStatus status) => status switch
    {
        DataStreamStatus.Creating => CREATING,
        DataStreamStatus.Active => ACTIVE,
        DataStreamStatus.Updating => UPDATING,
        _ => DELETING,
    };
}

/// <summary>A stream's capacity mode: PROVISIONED or ON_DEMAND.</summary>
public sealed class StreamMode : ConstantClass
{
    /// <summary>Fixed shards.</summary>
    public static readonly StreamMode PROVISIONED = new("PROVISIONED");

    /// <summary>Managed capacity.</summary>
    public static readonly StreamMode ON_DEMAND = new("ON_DEMAND");

    /// <summary>Creates a constant (use the static members).</summary>
    /// <param name="value">The wire value.</param>
    public StreamMode(string value)
        : base(value)
    {
    }

    /// <summary>Converts a wire value.</summary>
    public static implicit operator StreamMode?(string? value) => value is null ? null : new(value);
}

/// <summary>Where a shard iterator starts.</summary>
public sealed class ShardIteratorType : ConstantClass
{
    /// <summary>At the given sequence number.</summary>
    public static readonly ShardIteratorType AT_SEQUENCE_NUMBER = new("AT_SEQUENCE_NUMBER");

    /// <summary>After the given sequence number.</summary>
    public static readonly ShardIteratorType AFTER_SEQUENCE_NUMBER = new("AFTER_SEQUENCE_NUMBER");

    /// <summary>At the oldest retained record.</summary>
    public static readonly ShardIteratorType TRIM_HORIZON = new("TRIM_HORIZON");

    /// <summary>After the newest record.</summary>
    public static readonly ShardIteratorType LATEST = new("LATEST");

    /// <summary>At the first record at or after a time.</summary>
    public static readonly ShardIteratorType AT_TIMESTAMP = new("AT_TIMESTAMP");

    /// <summary>Creates a constant (use the static members).</summary>
    /// <param name="value">The wire value.</param>
    public ShardIteratorType(string value)
        : base(value)
    {
    }

    /// <summary>Converts a wire value.</summary>
    public static implicit operator ShardIteratorType?(string? value) => value is null ? null : new(value);
}

/// <summary>A stream's encryption: NONE or KMS.</summary>
public sealed class EncryptionType : ConstantClass
{
    /// <summary>Not encrypted.</summary>
    public static readonly EncryptionType NONE = new("NONE");

    /// <summary>Encrypted with a KMS key.</summary>
    public static readonly EncryptionType KMS = new("KMS");

    /// <summary>Creates a constant (use the static members).</summary>
    /// <param name="value">The wire value.</param>
    public EncryptionType(string value)
        : base(value)
    {
    }

    /// <summary>Converts a wire value.</summary>
    public static implicit operator EncryptionType?(string? value) => value is null ? null : new(value);
}

/// <summary>The kind of a ListShards filter.</summary>
public sealed class ShardFilterType : ConstantClass
{
    /// <summary>Shards after the given shard id.</summary>
    public static readonly ShardFilterType AFTER_SHARD_ID = new("AFTER_SHARD_ID");

    /// <summary>Shards open at the trim horizon.</summary>
    public static readonly ShardFilterType AT_TRIM_HORIZON = new("AT_TRIM_HORIZON");

    /// <summary>All shards within retention (the default).</summary>
    public static readonly ShardFilterType FROM_TRIM_HORIZON = new("FROM_TRIM_HORIZON");

    /// <summary>Open shards.</summary>
    public static readonly ShardFilterType AT_LATEST = new("AT_LATEST");

    /// <summary>Shards open at the given time.</summary>
    public static readonly ShardFilterType AT_TIMESTAMP = new("AT_TIMESTAMP");

    /// <summary>Shards open at or after the given time.</summary>
    public static readonly ShardFilterType FROM_TIMESTAMP = new("FROM_TIMESTAMP");

    /// <summary>Creates a constant (use the static members).</summary>
    /// <param name="value">The wire value.</param>
    public ShardFilterType(string value)
        : base(value)
    {
    }

    /// <summary>Converts a wire value.</summary>
    public static implicit operator ShardFilterType?(string? value) => value is null ? null : new(value);
}
