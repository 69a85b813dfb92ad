namespace StreamCore.EventSources;

/// <summary>
/// Copies of the keys and data of the records a shard processor reads into the events it builds (a read's batch is
/// lent only until the next read): appended into shared arrays of 64 KiB, under the large-object threshold, so a
/// record costs its bytes and no array of its own. The arrays belong to the events (a handler may keep an event), so
/// they are left to the collector, never pooled. Not thread-safe: the shard processor's lock guards it.
/// </summary>
internal sealed class EventBytes
{
    private const int ChunkBytes = 64 * 1024;

    private byte[] _chunk = [];
    private int _used;

    /// <summary>Copies <paramref name="key"/> then <paramref name="data"/>; returns the array that holds them and the key's offset (the data follows it).</summary>
    public byte[] Copy(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, out int offset)
    {
        int length = key.Length + data.Length;
        byte[] chunk;
        if (length > ChunkBytes / 4)
        {
            // A large record gets its own array (sharing would waste the rest of a chunk).
            chunk = new byte[length];
            offset = 0;
        }
        else
        {
            if (_chunk.Length - _used < length)
            {
                _chunk = new byte[ChunkBytes];
                _used = 0;
            }

            chunk = _chunk;
            offset = _used;
            _used += length;
        }

        key.CopyTo(chunk.AsSpan(offset));
        data.CopyTo(chunk.AsSpan(offset + key.Length));
        return chunk;
    }
}
