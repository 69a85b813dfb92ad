using StreamCore.Storage;

namespace StreamCore.Engine.Encryption;

/// <summary>
/// The plaintext of a batch's encrypted records, in a buffer its reader owns and reuses: valid, like the batch, until
/// the reader reads again. Readers of unencrypted streams never create one.
/// </summary>
internal sealed class DecryptedRecords
{
    private byte[] _buffer = new byte[4096];
    private (int Offset, int Length)[] _records = new (int, int)[64];
    private bool[] _present = new bool[64];

    /// <summary>Decrypts the encrypted records of <paramref name="slice"/>; returns false when it holds none.</summary>
    public bool Load(LogSlice slice, RecordCipher[] ciphers)
    {
        if (_present.Length < slice.Count)
        {
            _present = new bool[Math.Max(slice.Count, _present.Length * 2)];
            _records = new (int, int)[_present.Length];
        }

        Array.Clear(_present, 0, slice.Count);
        int used = 0;
        bool any = false;
        for (int i = 0; i < slice.Count; i++)
        {
            ref RecordEntry entry = ref slice.Segment.Entries[slice.FirstSlot + i];
            if (RecordCipher.For(ciphers, entry.Kind) is not { } cipher)
            {
                continue;
            }

            int length = entry.DataLength - RecordCipher.Overhead;
            if (used + length > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(used + length, _buffer.Length * 2));
            }

            cipher.Decrypt(slice.Segment.Arena.AsSpan(entry.Offset + entry.KeyLength, entry.DataLength), _buffer.AsSpan(used, length));
            _records[i] = (used, length);
            _present[i] = true;
            used += length;
            any = true;
        }

        return any;
    }

    public bool TryGet(int index, out ReadOnlyMemory<byte> plaintext)
    {
        if (index < _present.Length && _present[index])
        {
            plaintext = new ReadOnlyMemory<byte>(_buffer, _records[index].Offset, _records[index].Length);
            return true;
        }

        plaintext = default;
        return false;
    }
}
