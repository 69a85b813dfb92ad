namespace StreamCore.Delivery.Search;

/// <summary>One document of a bulk request: where it goes, its id (null: the index assigns one), its type and source.</summary>
internal readonly record struct BulkItem(string Index, string? Id, string? TypeName, ReadOnlyMemory<byte> Source);

/// <summary>An item's outcome: null <see cref="ErrorCode"/> when indexed, else the status and the error OpenSearch returns for it.</summary>
internal readonly record struct BulkItemResult(string Id, string? ErrorCode, string? ErrorMessage);

/// <summary>A whole bulk request refused by the domain (it is down, throttling, unreachable): retried by the delivery.</summary>
internal sealed class SearchDomainException(string errorCode, string message) : Exception(message)
{
    /// <summary>The error code written to the failed-documents output once the retries are over.</summary>
    public string ErrorCode { get; } = errorCode;
}

/// <summary>
/// Where a search destination's documents go: the bulk API of an OpenSearch/Elasticsearch domain. A refused request throws
/// (nothing of it is indexed), otherwise each item is indexed or rejected on its own, as OpenSearch's <c>_bulk</c> answers.
/// </summary>
internal interface ISearchIndex
{
    /// <summary>Indexes <paramref name="items"/> into <paramref name="domain"/>, in order.</summary>
    /// <returns>One result per item, in the items' order.</returns>
    ValueTask<IReadOnlyList<BulkItemResult>> BulkAsync(string domain, IReadOnlyList<BulkItem> items, CancellationToken cancellationToken);
}
