using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using StreamCore.Consuming;

namespace StreamCore.Aws.DynamoDB;

/// <summary>
/// An <see cref="ILeaseStore"/> over a DynamoDB table with the KCL's lease table schema (hash key <c>leaseKey</c>,
/// the KCL 2.x attribute names and types, and KCL 3.x's <c>checkpointOwner</c>), so .NET workers on several machines
/// share leases, and read and write a table that Java KCL workers use. Works with Amazon DynamoDB and any
/// DynamoDB-compatible endpoint (dynalite, DynamoDB Local).
/// </summary>
/// <remarks>
/// <para>
/// Writes are conditional, as the KCL's: a create on <c>attribute_not_exists(leaseKey)</c>, an update or delete on
/// <c>leaseCounter = :expected</c>. An update sets the lease's attributes and removes those it has no value for, and
/// leaves attributes it does not know (KCL 3.x's <c>throughputKBps</c>, <c>entityType</c>) as they are. Reads are
/// strongly consistent. Items that KCL 3.x marks as another entity than a lease are not listed.
/// </para>
/// <para>
/// The table name is checked at construction against DynamoDB's rule (3 to 255 letters, digits, <c>_</c>, <c>.</c>,
/// <c>-</c>); the KCL names the table after the application, so an invalid application name fails at start.
/// <see cref="InitializeAsync"/> creates the table (on-demand capacity, <c>PAY_PER_REQUEST</c>) when it does not
/// exist, and waits until it is active.
/// </para>
/// </remarks>
public sealed class DynamoDbLeaseStore : ILeaseStore, IDisposable
{
    private const string LeaseCounterName = "#leaseCounter";
    private const string ExpectedCounter = ":expected";

    private readonly IAmazonDynamoDB _dynamoDb;
    private readonly bool _ownsClient;
    private readonly DynamoDbLeaseStoreOptions _options;

    /// <summary>A store over <paramref name="tableName"/> through <paramref name="dynamoDb"/> (not disposed with the store).</summary>
    /// <param name="dynamoDb">The DynamoDB client.</param>
    /// <param name="tableName">The lease table (the KCL's application name).</param>
    /// <param name="options">How long to wait for a new table; the defaults when null.</param>
    /// <exception cref="ArgumentException"><paramref name="tableName"/> is not a valid DynamoDB table name, or an option is out of range.</exception>
    public DynamoDbLeaseStore(IAmazonDynamoDB dynamoDb, string tableName, DynamoDbLeaseStoreOptions? options = null)
        : this(dynamoDb, tableName, options, ownsClient: false)
    {
    }

    private DynamoDbLeaseStore(IAmazonDynamoDB dynamoDb, string tableName, DynamoDbLeaseStoreOptions? options, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(dynamoDb);
        ValidateTableName(tableName);
        _options = (options ?? new DynamoDbLeaseStoreOptions()).Validated();
        _dynamoDb = dynamoDb;
        _ownsClient = ownsClient;
        TableName = tableName;
    }

    /// <summary>
    /// A store over <paramref name="tableName"/> at the DynamoDB-compatible endpoint <paramref name="serviceUrl"/>.
    /// Credentials: the given ones, else <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>, else
    /// <c>local</c>/<c>local</c> (what local servers accept).
    /// </summary>
    /// <param name="serviceUrl">The endpoint, e.g. <c>http://127.0.0.1:4567</c>.</param>
    /// <param name="tableName">The lease table.</param>
    /// <param name="region">The signing region. Default <c>us-east-1</c>.</param>
    /// <param name="credentials">The credentials; see above when null.</param>
    /// <param name="options">How long to wait for a new table; the defaults when null.</param>
    /// <returns>The store; disposing it disposes its client.</returns>
    /// <exception cref="ArgumentException"><paramref name="tableName"/> is not a valid DynamoDB table name.</exception>
    public static DynamoDbLeaseStore ForEndpoint(Uri serviceUrl, string tableName, string region = "us-east-1", AWSCredentials? credentials = null, DynamoDbLeaseStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        ValidateTableName(tableName);
        credentials ??= new BasicAWSCredentials(
            Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 } id ? id : "local",
            Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } secret ? secret : "local");
        var config = new AmazonDynamoDBConfig { ServiceURL = serviceUrl.ToString(), AuthenticationRegion = region };
        return new DynamoDbLeaseStore(new AmazonDynamoDBClient(credentials, config), tableName, options, ownsClient: true);
    }

    /// <summary>The lease table's name.</summary>
    public string TableName { get; }

    /// <summary>Throws unless <paramref name="tableName"/> is a valid DynamoDB table name (3 to 255 of <c>[a-zA-Z0-9_.-]</c>).</summary>
    /// <param name="tableName">The name (the KCL's application name).</param>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static void ValidateTableName(string tableName)
    {
        ArgumentNullException.ThrowIfNull(tableName);
        if (tableName.Length is < 3 or > 255 || tableName.AsSpan().ContainsAnyExcept(TableNameCharacters))
        {
            throw new ArgumentException(
                $"Lease table name '{(tableName.Length <= 300 ? tableName : tableName[..300] + "...")}' is not valid: DynamoDB table names (the KCL's application name) are 3 to 255 letters, digits, '_', '.' or '-'.",
                nameof(tableName));
        }
    }

    /// <inheritdoc/>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        TableDescription? table = await DescribeAsync(cancellationToken).ConfigureAwait(false);
        if (table is null)
        {
            try
            {
                await _dynamoDb.CreateTableAsync(new CreateTableRequest
                {
                    TableName = TableName,
                    KeySchema = [new KeySchemaElement(LeaseAttributes.LeaseKey, KeyType.HASH)],
                    AttributeDefinitions = [new AttributeDefinition(LeaseAttributes.LeaseKey, ScalarAttributeType.S)],
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceInUseException)
            {
                // Another worker created it first.
            }
        }
        else if (table.KeySchema is not [{ AttributeName: LeaseAttributes.LeaseKey, KeyType: var keyType }] || keyType != KeyType.HASH)
        {
            throw new InvalidOperationException(
                $"Table '{TableName}' is not a lease table: its key is {string.Join(", ", table.KeySchema?.Select(k => $"{k.AttributeName} ({k.KeyType})") ?? [])}; expected the hash key {LeaseAttributes.LeaseKey} alone.");
        }

        long started = _options.TimeProvider.GetTimestamp();
        while (table is null || !IsUsable(table.TableStatus))
        {
            if (_options.TimeProvider.GetElapsedTime(started) >= _options.TableActiveTimeout)
            {
                throw new TimeoutException($"Lease table '{TableName}' did not become ACTIVE within {_options.TableActiveTimeout} (status {table?.TableStatus?.Value ?? "unknown"}).");
            }

            if (table is not null)
            {
                await Task.Delay(_options.TableStatusPollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }

            table = await DescribeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<Lease>> ListLeasesAsync(CancellationToken cancellationToken)
    {
        var leases = new List<Lease>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            ScanResponse page = await _dynamoDb.ScanAsync(new ScanRequest { TableName = TableName, ConsistentRead = true, ExclusiveStartKey = start }, cancellationToken).ConfigureAwait(false);
            foreach (Dictionary<string, AttributeValue> item in page.Items ?? [])
            {
                if (DynamoDbLeaseItem.IsLease(item))
                {
                    leases.Add(DynamoDbLeaseItem.FromItem(item));
                }
            }

            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        leases.Sort((a, b) => string.CompareOrdinal(a.LeaseKey, b.LeaseKey));
        return leases;
    }

    /// <inheritdoc/>
    public async ValueTask<Lease?> GetLeaseAsync(string leaseKey, CancellationToken cancellationToken)
    {
        LeaseValidation.ValidateKey(leaseKey, nameof(leaseKey));
        GetItemResponse response = await _dynamoDb.GetItemAsync(new GetItemRequest { TableName = TableName, Key = Key(leaseKey), ConsistentRead = true }, cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item && DynamoDbLeaseItem.IsLease(item) ? DynamoDbLeaseItem.FromItem(item) : null;
    }

    /// <inheritdoc/>
    public async ValueTask<bool> CreateLeaseIfNotExistsAsync(Lease lease, CancellationToken cancellationToken)
    {
        LeaseValidation.Validate(lease, nameof(lease));
        try
        {
            await _dynamoDb.PutItemAsync(new PutItemRequest
            {
                TableName = TableName,
                Item = DynamoDbLeaseItem.ToItem(lease),
                ConditionExpression = "attribute_not_exists(#leaseKey)",
                ExpressionAttributeNames = new() { ["#leaseKey"] = LeaseAttributes.LeaseKey },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<Lease?> TryUpdateLeaseAsync(Lease expected, Lease updated, CancellationToken cancellationToken)
    {
        LeaseValidation.ValidateUpdate(expected, updated);
        Lease stored = updated.WithOwnState() with { LeaseCounter = expected.LeaseCounter + 1 };
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [ExpectedCounter] = DynamoDbLeaseItem.Number(expected.LeaseCounter) };
        var set = new StringBuilder("SET ");
        var remove = new StringBuilder();
        int i = 0;
        foreach ((string name, AttributeValue? value) in DynamoDbLeaseItem.Attributes(stored))
        {
            string placeholder = name == LeaseAttributes.LeaseCounter ? LeaseCounterName : $"#a{i}";
            names[placeholder] = name;
            if (value is null)
            {
                remove.Append(remove.Length == 0 ? " REMOVE " : ", ").Append(placeholder);
            }
            else
            {
                values[$":v{i}"] = value;
                set.Append(set.Length == 4 ? "" : ", ").Append(placeholder).Append(" = :v").Append(i);
            }

            i++;
        }

        try
        {
            await _dynamoDb.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(expected.LeaseKey),
                UpdateExpression = set.Append(remove).ToString(),
                ConditionExpression = $"{LeaseCounterName} = {ExpectedCounter}",
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
            }, cancellationToken).ConfigureAwait(false);
            return stored.WithOwnState();
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteLeaseAsync(Lease expected, CancellationToken cancellationToken)
    {
        LeaseValidation.Validate(expected, nameof(expected));
        try
        {
            await _dynamoDb.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = TableName,
                Key = Key(expected.LeaseKey),
                ConditionExpression = $"{LeaseCounterName} = {ExpectedCounter}",
                ExpressionAttributeNames = new() { [LeaseCounterName] = LeaseAttributes.LeaseCounter },
                ExpressionAttributeValues = new() { [ExpectedCounter] = DynamoDbLeaseItem.Number(expected.LeaseCounter) },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Disposes the client when the store created it (<see cref="ForEndpoint"/>).</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _dynamoDb.Dispose();
        }
    }

    private async ValueTask<TableDescription?> DescribeAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = TableName }, cancellationToken).ConfigureAwait(false)).Table;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    // As the KCL: a table being updated (a new index, capacity) serves reads and writes.
    private static bool IsUsable(TableStatus? status) => status == TableStatus.ACTIVE || status == TableStatus.UPDATING;

    private static Dictionary<string, AttributeValue> Key(string leaseKey) => new(StringComparer.Ordinal) { [LeaseAttributes.LeaseKey] = new() { S = leaseKey } };

    private static readonly System.Buffers.SearchValues<char> TableNameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
}
