using System.Runtime.CompilerServices;
using System.Text;
using StreamCore.Engine.Encryption;
using StreamCore.Hashing;
using StreamCore.Storage;

namespace StreamCore.Engine;

/// <summary>
/// The records of one batch append (PutRecords, <c>DataStream.Append(AppendBatch)</c>), encoded once: partition keys as
/// UTF-8 in one byte buffer, payloads copied in or referenced, hash keys, and the scratch the engine routes and groups
/// them with. Reused from call to call, so a batch allocates nothing per record once its buffers have grown. Not
/// thread-safe: one batch at a time.
/// </summary>
internal sealed class AppendBuffer
{
    private byte[] _bytes;
    private byte[] _stored = [];
    private Entry[] _entries;
    private int _usedBytes;

    // The last partition key added, and where its UTF-8 bytes are: a record with the same key (the same string) copies
    // them instead of encoding again, and takes its MD5 from the last record that hashed it (_lastHashed, or -1).
    private string? _lastKey;
    private int _lastKeyOffset;
    private int _lastKeyLength;
    private int _lastHashed = -1;

    // How many records still need their own MD5 (no explicit hash key, no earlier record with the same key).
    private int _unhashed;

    // How many records take an earlier record's MD5 (HashFrom).
    private int _sharing;

    // False while every record's key and stored payload lie back to back in _bytes, in index order (Add copies; a
    // referenced payload or encryption puts payloads elsewhere): then a shard's run of records is written with one copy.
    private bool _scattered;

    // Scratch for the engine: record indices in write order, their routing, and per-shard counts.
    private int[] _order = [];
    private int[] _grouped = [];
    private int[] _shardOf = [];
    private int[] _counts = [];
    private UInt128[] _hashes = [];
    private ShardState?[] _shards = [];
    private (int Start, int Count, ShardState Shard)[] _groups = [];

    public AppendBuffer(int capacity = 16, int byteCapacity = 1024)
    {
        _entries = new Entry[Math.Max(1, capacity)];
        _bytes = new byte[Math.Max(64, byteCapacity)];
    }

    /// <summary>The number of records.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of keys and payloads as put.</summary>
    public long PutBytes { get; private set; }

    /// <summary>The largest key plus payload of any record, as put (what the record size limit is checked against).</summary>
    public int MaxPutLength { get; private set; }

    /// <summary>Forgets every record; keeps the buffers.</summary>
    public void Clear()
    {
        if (_scattered)
        {
            Array.Clear(_entries, 0, Count); // drops referenced payloads; AddEntry writes every other field
        }

        Count = 0;
        _usedBytes = 0;
        PutBytes = 0;
        MaxPutLength = 0;
        _lastKey = null;
        _lastHashed = -1;
        _unhashed = 0;
        _sharing = 0;
        _scattered = false;
    }

    /// <summary>
    /// Adds a record whose payload is copied in now. <paramref name="partitionKey"/> must be of valid length (the face
    /// checks it); it is encoded to UTF-8 here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(string partitionKey, UInt128? explicitHashKey, ReadOnlySpan<byte> data)
    {
        int keyOffset = EncodeKey(partitionKey, data.Length);
        int dataOffset = _usedBytes;
        data.CopyTo(_bytes.AsSpan(dataOffset));
        _usedBytes += data.Length;
        AddEntry(partitionKey, keyOffset, dataOffset, data.Length, default, explicitHashKey);
    }

    /// <summary>Adds a record whose payload is read from <paramref name="data"/> when it is written (not copied now).</summary>
    public void AddReference(string partitionKey, UInt128? explicitHashKey, ReadOnlyMemory<byte> data)
    {
        int keyOffset = EncodeKey(partitionKey, 0);
        _scattered = true;
        AddEntry(partitionKey, keyOffset, -1, data.Length, data, explicitHashKey);
    }

    /// <summary>
    /// Adds a record whose payload is the whole of <paramref name="data"/> (whatever its position), copied in now
    /// without allocating and without touching the stream's position (<see cref="MemoryStream.WriteTo"/>).
    /// </summary>
    public void Add(string partitionKey, UInt128? explicitHashKey, MemoryStream data)
    {
        int length = checked((int)data.Length);
        int keyOffset = EncodeKey(partitionKey, length);
        int dataOffset = _usedBytes;
        _sink ??= new CopySink(this);
        data.WriteTo(_sink);
        StorageInvariant.Assert(_usedBytes == dataOffset + length, "a stream's whole content was copied");
        AddEntry(partitionKey, keyOffset, dataOffset, length, default, explicitHashKey);
    }

    private CopySink? _sink;

    /// <summary>Receives a <see cref="MemoryStream.WriteTo"/> into the buffer's bytes.</summary>
    private sealed class CopySink(AppendBuffer buffer) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> source)
        {
            buffer.EnsureBytes(source.Length);
            source.CopyTo(buffer._bytes.AsSpan(buffer._usedBytes));
            buffer._usedBytes += source.Length;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int EncodeKey(string partitionKey, int dataLength)
    {
        int offset;
        if (ReferenceEquals(partitionKey, _lastKey))
        {
            // The same key again (records of one key in a row): copy its bytes, back to back with this payload.
            EnsureBytes(_lastKeyLength + dataLength);
            offset = _usedBytes;
            byte[] bytes = _bytes;
            if (_lastKeyLength <= 16)
            {
                for (int i = 0; i < _lastKeyLength; i++)
                {
                    bytes[offset + i] = bytes[_lastKeyOffset + i]; // short keys: cheaper than a memmove call
                }
            }
            else
            {
                bytes.AsSpan(_lastKeyOffset, _lastKeyLength).CopyTo(bytes.AsSpan(offset));
            }

            _usedBytes += _lastKeyLength;
            return offset;
        }

        EnsureBytes((partitionKey.Length * 3) + dataLength);
        offset = _usedBytes;
        _usedBytes += Encoding.UTF8.GetBytes(partitionKey, _bytes.AsSpan(offset));
        return offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddEntry(string partitionKey, int keyOffset, int dataOffset, int dataLength, ReadOnlyMemory<byte> external, UInt128? explicitHashKey)
    {
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        int keyLength = (dataOffset >= 0 ? dataOffset : _usedBytes) - keyOffset;
        ref Entry e = ref _entries[Count++];
        e.KeyOffset = keyOffset;
        e.KeyLength = keyLength;
        e.DataOffset = dataOffset;
        e.DataLength = dataLength;
        e.StoredLength = dataLength;
        e.StoredOffset = 0;
        e.Encrypted = false;
        if (dataOffset < 0)
        {
            e.External = external; // otherwise still default: Clear zeroes entries once any payload was referenced
        }

        e.Hashed = explicitHashKey.HasValue;
        UInt128 hash = explicitHashKey.GetValueOrDefault();
        e.HashUpper = (ulong)(hash >> 64);
        e.HashLower = (ulong)hash;
        bool sameKey = ReferenceEquals(partitionKey, _lastKey);
        e.HashFrom = -1;
        if (!e.Hashed)
        {
            if (sameKey && _lastHashed >= 0)
            {
                e.HashFrom = _lastHashed; // an earlier record's MD5 of the same key
                _sharing++;
            }
            else
            {
                _unhashed++;
            }

            _lastHashed = Count - 1;
        }
        else if (!sameKey)
        {
            _lastHashed = -1;
        }

        if (!sameKey)
        {
            _lastKey = partitionKey;
            _lastKeyOffset = keyOffset;
            _lastKeyLength = keyLength;
        }

        PutBytes += keyLength + dataLength;
        MaxPutLength = Math.Max(MaxPutLength, keyLength + dataLength);
    }

    private void EnsureBytes(int more)
    {
        if (_bytes.Length - _usedBytes < more)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _usedBytes + more));
        }
    }

    /// <summary>The UTF-8 bytes of record <paramref name="index"/>'s partition key.</summary>
    public ReadOnlySpan<byte> Key(int index)
    {
        ref readonly Entry e = ref _entries[index];
        return _bytes.AsSpan(e.KeyOffset, e.KeyLength);
    }

    /// <summary>Key plus payload bytes of record <paramref name="index"/> as put (what size limits and metrics count).</summary>
    public int PutLength(int index) => _entries[index].KeyLength + _entries[index].DataLength;

    /// <summary>The hash key that routes record <paramref name="index"/>; set once <see cref="HashPartitionKeys"/> ran.</summary>
    public UInt128 HashKey(int index) => new(_entries[index].HashUpper, _entries[index].HashLower);

    /// <summary>
    /// Computes the MD5 hash key of every record that has no explicit hash key, several keys at once
    /// (<see cref="Md5MultiBuffer"/>).
    /// </summary>
    public void HashPartitionKeys()
    {
        if (_unhashed > 0)
        {
            int pending = 0;
            EnsureScratch(ref _order, Count);
            for (int i = 0; i < Count; i++)
            {
                if (!_entries[i].Hashed && _entries[i].HashFrom < 0)
                {
                    _order[pending++] = i;
                }
            }

            EnsureScratch(ref _hashes, pending);
            var keys = new PendingKeys(this, pending);
            Md5MultiBuffer.Hash(ref keys, _hashes);
            for (int j = 0; j < pending; j++)
            {
                ref Entry e = ref _entries[_order[j]];
                e.HashUpper = (ulong)(_hashes[j] >> 64);
                e.HashLower = (ulong)_hashes[j];
                e.Hashed = true;
            }

            _unhashed = 0;
        }

        // Records that share an earlier record's key take its hash; that record comes first, so it is hashed by now.
        for (int i = 0; _sharing > 0 && i < Count; i++)
        {
            ref Entry e = ref _entries[i];
            if (!e.Hashed)
            {
                ref readonly Entry from = ref _entries[e.HashFrom];
                StorageInvariant.Assert(from.Hashed, "a shared key's first record is hashed before the records that share it");
                e.HashUpper = from.HashUpper;
                e.HashLower = from.HashLower;
                e.Hashed = true;
                _sharing--;
            }
        }
    }

    /// <summary>
    /// Encrypts every payload with <paramref name="cipher"/> into the buffer's own storage, before anything is reserved
    /// (encryption can fail; a write between reservation and publication must not).
    /// </summary>
    public void Encrypt(RecordCipher cipher)
    {
        long total = 0;
        for (int i = 0; i < Count; i++)
        {
            total += _entries[i].DataLength + RecordCipher.Overhead;
        }

        if (_stored.Length < total)
        {
            _stored = new byte[Math.Max(total, _stored.Length * 2)];
        }

        int offset = 0;
        for (int i = 0; i < Count; i++)
        {
            ref Entry e = ref _entries[i];
            int length = e.DataLength + RecordCipher.Overhead;
            cipher.Encrypt(Data(i), _stored.AsSpan(offset, length));
            e.StoredOffset = offset;
            e.StoredLength = length;
            e.Encrypted = true;
            offset += length;
        }

        _scattered = true;
    }

    private ReadOnlySpan<byte> Data(int index)
    {
        ref readonly Entry e = ref _entries[index];
        return e.DataOffset >= 0 ? _bytes.AsSpan(e.DataOffset, e.DataLength) : e.External.Span;
    }

    private ReadOnlySpan<byte> StoredData(int index)
    {
        ref readonly Entry e = ref _entries[index];
        return e.Encrypted ? _stored.AsSpan(e.StoredOffset, e.StoredLength) : Data(index);
    }

    /// <summary>Scratch of at least <paramref name="length"/> record indices: the records to write, in request order.</summary>
    public Span<int> Order(int length) => EnsureScratch(ref _order, length).AsSpan(0, length);

    /// <summary>
    /// Groups records <c>order[0..count)</c> by the shard <paramref name="route"/> gives each, request order kept within
    /// a group (a stable counting sort on the shard index). Returns the number of groups; group g is
    /// <see cref="Group"/>(g).
    /// </summary>
    public int GroupByShard(HashKeyRouter<ShardState> route, ReadOnlySpan<int> order)
    {
        int count = order.Length;
        EnsureScratch(ref _groups, count);
        EnsureScratch(ref _grouped, count);
        if (route.Count == 1)
        {
            // One shard: one group, in request order; nothing to route.
            order.CopyTo(_grouped);
            _groups[0] = (0, count, route.Route(UInt128.Zero));
            return 1;
        }

        EnsureScratch(ref _shardOf, count);
        int maxShard = 0;
        for (int i = 0; i < count; i++)
        {
            ShardState shard = route.Route(HashKey(order[i]));
            int s = shard.Id.Index;
            _shardOf[i] = s;
            maxShard = Math.Max(maxShard, s);
            EnsureScratch(ref _shards, s + 1);
            _shards[s] = shard;
        }

        EnsureScratch(ref _counts, maxShard + 2);
        Array.Clear(_counts, 0, maxShard + 2);
        for (int i = 0; i < count; i++)
        {
            _counts[_shardOf[i] + 1]++;
        }

        int groupCount = 0;
        for (int s = 0; s <= maxShard; s++)
        {
            int n = _counts[s + 1];
            if (n > 0)
            {
                _groups[groupCount++] = (_counts[s], n, _shards[s]!);
            }

            _counts[s + 1] += _counts[s]; // from here _counts[s] is where shard s's group starts
        }

        for (int i = 0; i < count; i++)
        {
            _grouped[_counts[_shardOf[i]]++] = order[i];
        }

        Array.Clear(_shards, 0, maxShard + 1);
        return groupCount;
    }

    /// <summary>Group <paramref name="group"/> of the last <see cref="GroupByShard"/>: its shard and its records' indices.</summary>
    public ShardState Group(int group, out ReadOnlySpan<int> records)
    {
        (int start, int count, ShardState shard) = _groups[group];
        records = _grouped.AsSpan(start, count);
        return shard;
    }

    /// <summary>The arena bytes of records <paramref name="records"/> as stored.</summary>
    public int StoredBytes(ReadOnlySpan<int> records)
    {
        if (records.Length == Count && !_scattered)
        {
            return _usedBytes; // every record, back to back: keys and payloads are all the buffer holds
        }

        int bytes = 0;
        foreach (int i in records)
        {
            bytes += _entries[i].KeyLength + _entries[i].StoredLength;
        }

        return bytes;
    }

    /// <summary>Bytes as put of records <paramref name="records"/>.</summary>
    public long PutBytesOf(ReadOnlySpan<int> records)
    {
        if (records.Length == Count)
        {
            return PutBytes;
        }

        long bytes = 0;
        foreach (int i in records)
        {
            bytes += PutLength(i);
        }

        return bytes;
    }

    /// <summary>A writer of the records <paramref name="records"/> into one shard's reservation.</summary>
    public ShardWriter Writer(ReadOnlySpan<int> records) => new(this, records);

    private static T[] EnsureScratch<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            Array.Resize(ref array, Math.Max(length, array.Length * 2)); // keeps what is there: GroupByShard grows _shards as it fills it
        }

        return array;
    }

    /// <summary>Writes a group of the buffer's records into a shard log's batch reservation.</summary>
    internal readonly ref struct ShardWriter(AppendBuffer buffer, ReadOnlySpan<int> records) : IRecordWriter
    {
        private readonly AppendBuffer _buffer = buffer;
        private readonly ReadOnlySpan<int> _records = records;

        public int Count => _records.Length;

        public (int KeyLength, int DataLength) Lengths(int index)
        {
            ref readonly Entry e = ref _buffer._entries[_records[index]];
            return (e.KeyLength, e.StoredLength);
        }

        public void CopyTo(Span<byte> destination)
        {
            Entry[] entries = _buffer._entries;
            byte[] bytes = _buffer._bytes;
            if (!_buffer._scattered)
            {
                // Keys and payloads lie back to back in the buffer: copy each run of consecutive records at once.
                int i = 0;
                while (i < _records.Length)
                {
                    ref readonly Entry first = ref entries[_records[i]];
                    int runStart = first.KeyOffset, runEnd = first.DataOffset + first.DataLength;
                    int next = _records[i] + 1;
                    for (i++; i < _records.Length && _records[i] == next; i++, next++)
                    {
                        ref readonly Entry e = ref entries[next];
                        runEnd = e.DataOffset + e.DataLength;
                    }

                    bytes.AsSpan(runStart, runEnd - runStart).CopyTo(destination);
                    destination = destination[(runEnd - runStart)..];
                }

                return;
            }

            foreach (int record in _records)
            {
                ReadOnlySpan<byte> key = _buffer.Key(record);
                ReadOnlySpan<byte> data = _buffer.StoredData(record);
                key.CopyTo(destination);
                data.CopyTo(destination[key.Length..]);
                destination = destination[(key.Length + data.Length)..];
            }
        }
    }

    /// <summary>The keys still to hash, for <see cref="Md5MultiBuffer"/>.</summary>
    private readonly struct PendingKeys(AppendBuffer buffer, int count) : IMessageList
    {
        public int Count => count;

        public ReadOnlySpan<byte> this[int index] => buffer.Key(buffer._order[index]);
    }

    private struct Entry
    {
        public int KeyOffset;
        public int KeyLength;

        // Where the payload as put lives: _bytes at DataOffset, or External when DataOffset is -1.
        public int DataOffset;
        public int DataLength;
        public ReadOnlyMemory<byte> External;

        // The payload as stored: the same bytes, or (Encrypted) StoredLength bytes of _stored at StoredOffset.
        public bool Encrypted;
        public int StoredOffset;
        public int StoredLength;

        // The hash key, as two halves (UInt128's alignment would pad the entry); Hashed once known. HashFrom is an
        // earlier record with the same partition key whose MD5 this one takes, or -1.
        public bool Hashed;
        public int HashFrom;
        public ulong HashUpper;
        public ulong HashLower;
    }
}
