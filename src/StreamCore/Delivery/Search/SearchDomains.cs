using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamCore.Delivery.Search;

namespace StreamCore.Delivery;

/// <summary>A document as an OpenSearch/Elasticsearch index holds it.</summary>
public sealed class SearchDocument
{
    internal SearchDocument(string id, string? typeName, string source)
    {
        Id = id;
        TypeName = typeName;
        Source = source;
    }

    /// <summary>The document's <c>_id</c>: Firehose's (FIREHOSE_DEFAULT) or the index's own (NO_DOCUMENT_ID).</summary>
    public string Id { get; }

    /// <summary>The destination's TypeName, or null when it has none (Elasticsearch 7+ and OpenSearch use <c>_doc</c>).</summary>
    public string? TypeName { get; }

    /// <summary>The document's <c>_source</c>: the record's JSON object exactly as delivered.</summary>
    public string Source { get; }
}

/// <summary>
/// The OpenSearch / Elasticsearch domains a <see cref="Firehose"/> delivers into, in process: domain, then index (the
/// rotated index name), then documents in the order they were indexed. Thread-safe; the host reads what was delivered
/// with <see cref="DomainNames"/>, <see cref="IndexNames"/> and <see cref="Documents"/>. A domain exists once something
/// was delivered to it. Each record must be one JSON object; anything else is rejected per document as OpenSearch
/// rejects it (<c>mapper_parsing_exception</c>).
/// </summary>
public sealed class SearchDomains : ISearchIndex
{
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, SortedDictionary<string, IndexDocuments>> _domains = new(StringComparer.Ordinal);
    private readonly string? _directory;
    private readonly Random _random;
    private long _files;

    /// <summary>Creates empty domains held in memory.</summary>
    public SearchDomains()
        : this(null)
    {
    }

    /// <summary>
    /// Creates empty domains that also write each indexed document's source, one per line, to
    /// <c><paramref name="directory"/>/DOMAIN/INDEX/*.jsonl</c> (each bulk request's documents of an index in a new
    /// file, written under a temporary name and then renamed, named by a zero-padded sequence so a listing sorts in
    /// delivery order). The standalone server uses <c>DATA_DIR/opensearch</c>.
    /// </summary>
    /// <param name="directory">Where the files go, or null for memory only.</param>
    public SearchDomains(string? directory)
    {
        _directory = directory;
        _random = new Random();
    }

    /// <summary>The domains documents were delivered to, in ordinal order.</summary>
    /// <returns>The domain names (the last part of the DomainARN, or the cluster endpoint's host).</returns>
    public IReadOnlyList<string> DomainNames()
    {
        lock (_gate)
        {
            return [.. _domains.Keys];
        }
    }

    /// <summary>The indexes of <paramref name="domain"/>, in ordinal order (none for an unknown domain).</summary>
    /// <param name="domain">The domain.</param>
    /// <returns>The index names, as rotated (e.g. <c>myindex-2016-02-25</c>).</returns>
    public IReadOnlyList<string> IndexNames(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        lock (_gate)
        {
            return _domains.TryGetValue(domain, out SortedDictionary<string, IndexDocuments>? indexes) ? [.. indexes.Keys] : [];
        }
    }

    /// <summary>The documents of one index in the order they were first indexed (none for an unknown index).</summary>
    /// <param name="domain">The domain.</param>
    /// <param name="index">The index name, as rotated.</param>
    /// <returns>A snapshot of the documents.</returns>
    public IReadOnlyList<SearchDocument> Documents(string domain, string index)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(index);
        lock (_gate)
        {
            return _domains.TryGetValue(domain, out SortedDictionary<string, IndexDocuments>? indexes) && indexes.TryGetValue(index, out IndexDocuments? documents)
                ? [.. documents.InOrder]
                : [];
        }
    }

    /// <inheritdoc/>
    ValueTask<IReadOnlyList<BulkItemResult>> ISearchIndex.BulkAsync(string domain, IReadOnlyList<BulkItem> items, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var results = new BulkItemResult[items.Count];
        var written = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        lock (_gate)
        {
            if (!_domains.TryGetValue(domain, out SortedDictionary<string, IndexDocuments>? indexes))
            {
                indexes = new SortedDictionary<string, IndexDocuments>(StringComparer.Ordinal);
                _domains[domain] = indexes;
            }

            for (int i = 0; i < items.Count; i++)
            {
                BulkItem item = items[i];
                string id = item.Id ?? NewId();
                if (!TryParseObject(item.Source.Span, out string? reason))
                {
                    // OpenSearch's answer for a source that is not one JSON object, with the item's HTTP status.
                    results[i] = new BulkItemResult(id, "400", $"{{\"type\":\"mapper_parsing_exception\",\"reason\":\"failed to parse\",\"caused_by\":{{\"type\":\"not_x_content_exception\",\"reason\":\"{JsonEncodedText.Encode(reason!)}\"}}}}");
                    continue;
                }

                if (!indexes.TryGetValue(item.Index, out IndexDocuments? documents))
                {
                    documents = new IndexDocuments();
                    indexes[item.Index] = documents;
                }

                string source = Encoding.UTF8.GetString(item.Source.Span);
                documents.Put(new SearchDocument(id, string.IsNullOrEmpty(item.TypeName) ? null : item.TypeName, source));
                results[i] = new BulkItemResult(id, null, null);
                if (_directory is not null)
                {
                    if (!written.TryGetValue(item.Index, out StringBuilder? lines))
                    {
                        lines = new StringBuilder();
                        written[item.Index] = lines;
                    }

                    // One line per document: a line break can only be whitespace between JSON tokens (inside strings it is escaped).
                    lines.Append(source.Replace('\r', ' ').Replace('\n', ' ')).Append('\n');
                }
            }

            foreach ((string index, StringBuilder lines) in written)
            {
                WriteFile(domain, index, lines.ToString());
            }
        }

        return ValueTask.FromResult<IReadOnlyList<BulkItemResult>>(results);
    }

    /// <summary>Whether <paramref name="source"/> is exactly one UTF-8 JSON object (whitespace around it allowed).</summary>
    internal static bool TryParseObject(ReadOnlySpan<byte> source, out string? reason)
    {
        try
        {
            var reader = new Utf8JsonReader(source, new JsonReaderOptions { AllowMultipleValues = true });
            if (!reader.Read())
            {
                reason = "failed to parse, document is empty";
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reason = "Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes";
                return false;
            }

            reader.Skip();
            if (reader.Read())
            {
                reason = "The document holds more than one JSON value; each record must be a single JSON object.";
                return false;
            }

            reason = null;
            return true;
        }
        catch (JsonException ex)
        {
            reason = ex.Message;
            return false;
        }
    }

    private void WriteFile(string domain, string index, string lines)
    {
        string folder = Path.Combine(_directory!, domain, index);
        Directory.CreateDirectory(folder);
        string name = (++_files).ToString("D20", CultureInfo.InvariantCulture);
        string temporary = Path.Combine(folder, "." + name + ".tmp");
        File.WriteAllText(temporary, lines, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, Path.Combine(folder, name + ".jsonl"), overwrite: true);
    }

    /// <summary>An id as OpenSearch generates one: 20 URL-safe base64 characters.</summary>
    private string NewId() => string.Create(20, _random, static (chars, random) =>
    {
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = IdAlphabet[random.Next(IdAlphabet.Length)];
        }
    });

    /// <summary>An index's documents: in first-indexed order, a document indexed again with the same id replaced in place (as the index operation does).</summary>
    private sealed class IndexDocuments
    {
        private readonly List<SearchDocument> _documents = [];
        private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);

        public IEnumerable<SearchDocument> InOrder => _documents;

        public void Put(SearchDocument document)
        {
            if (_positions.TryGetValue(document.Id, out int position))
            {
                _documents[position] = document;
                return;
            }

            _positions[document.Id] = _documents.Count;
            _documents.Add(document);
        }
    }
}
