namespace StreamCore.Aws.DynamoDB;

/// <summary>How a <see cref="DynamoDbLeaseStore"/> waits for its table to become active after creating it.</summary>
public sealed class DynamoDbLeaseStoreOptions
{
    /// <summary>How long <see cref="DynamoDbLeaseStore.InitializeAsync"/> waits for the table to be ACTIVE. Default 5 minutes; positive.</summary>
    public TimeSpan TableActiveTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often it asks for the table's status meanwhile. Default 1 second; positive.</summary>
    public TimeSpan TableStatusPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock of those waits. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>A copy of these options, checked.</summary>
    internal DynamoDbLeaseStoreOptions Validated()
    {
        if (TableActiveTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"TableActiveTimeout {TableActiveTimeout} is not valid: expected a positive time.", "options");
        }

        if (TableStatusPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"TableStatusPollInterval {TableStatusPollInterval} is not valid: expected a positive time.", "options");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, "options.TimeProvider");
        return new DynamoDbLeaseStoreOptions { TableActiveTimeout = TableActiveTimeout, TableStatusPollInterval = TableStatusPollInterval, TimeProvider = TimeProvider };
    }
}
