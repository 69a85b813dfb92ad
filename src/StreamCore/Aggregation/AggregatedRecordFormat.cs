using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace StreamCore.Aggregation;

/// <summary>
/// The KPL's aggregated record format: <c>MAGIC(4) | AggregatedRecord protobuf | MD5(protobuf)(16)</c>, with
/// <c>AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
/// repeated Record records = 3; }</c> and <c>Record { required uint64 partition_key_index = 1; optional uint64
/// explicit_hash_key_index = 2; required bytes data = 3; repeated Tag tags = 4; }</c>.
/// </summary>
/// <remarks>
/// Written and read with span-based varint code rather than Google.Protobuf's streams: the producer appends one
/// <c>Record</c> per user record to a pooled buffer on the caller's thread, which a stream object per record (or per
/// aggregate) would turn into allocation; the tests check both directions against Google.Protobuf.
/// </remarks>
internal static class AggregatedRecordFormat
{
    public const int MagicLength = 4;
    public const int DigestLength = 16;

    /// <summary>Magic plus digest: what an aggregate costs beyond its protobuf bytes.</summary>
    public const int Overhead = MagicLength + DigestLength;

    public const byte PartitionKeyTableTag = 0x0A; // field 1, length-delimited
    public const byte ExplicitHashKeyTableTag = 0x12; // field 2, length-delimited
    public const byte RecordsTag = 0x1A; // field 3, length-delimited
    public const byte PartitionKeyIndexTag = 0x08; // Record field 1, varint
    public const byte ExplicitHashKeyIndexTag = 0x10; // Record field 2, varint
    public const byte DataTag = 0x1A; // Record field 3, length-delimited

    public static ReadOnlySpan<byte> Magic => [0xF3, 0x89, 0x9A, 0xC2];

    public static int VarintSize(ulong value) => (BitOperations.Log2(value | 1) / 7) + 1;

    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>The size of a length-delimited field: tag, length varint, payload.</summary>
    public static int FieldSize(int payloadLength) => 1 + VarintSize((ulong)payloadLength) + payloadLength;

    /// <summary>The size of a <c>Record</c> message's body (without its own tag and length).</summary>
    public static int RecordBodySize(int partitionKeyIndex, int explicitHashKeyIndex, int dataLength) =>
        1 + VarintSize((ulong)partitionKeyIndex)
        + (explicitHashKeyIndex >= 0 ? 1 + VarintSize((ulong)explicitHashKeyIndex) : 0)
        + FieldSize(dataLength);

    /// <summary>
    /// Writes one <c>records</c> entry (tag, length, Record body) and returns the bytes written; the data starts at
    /// <c>written - data.Length</c>.
    /// </summary>
    public static int WriteRecord(Span<byte> destination, int partitionKeyIndex, int explicitHashKeyIndex, ReadOnlySpan<byte> data)
    {
        int body = RecordBodySize(partitionKeyIndex, explicitHashKeyIndex, data.Length);
        destination[0] = RecordsTag;
        int i = 1 + WriteVarint(destination[1..], (ulong)body);
        destination[i++] = PartitionKeyIndexTag;
        i += WriteVarint(destination[i..], (ulong)partitionKeyIndex);
        if (explicitHashKeyIndex >= 0)
        {
            destination[i++] = ExplicitHashKeyIndexTag;
            i += WriteVarint(destination[i..], (ulong)explicitHashKeyIndex);
        }

        destination[i++] = DataTag;
        i += WriteVarint(destination[i..], (ulong)data.Length);
        data.CopyTo(destination[i..]);
        return i + data.Length;
    }

    /// <summary>Writes a length-delimited field (a key table entry).</summary>
    public static int WriteField(Span<byte> destination, byte tag, ReadOnlySpan<byte> payload)
    {
        destination[0] = tag;
        int i = 1 + WriteVarint(destination[1..], (ulong)payload.Length);
        payload.CopyTo(destination[i..]);
        return i + payload.Length;
    }

    /// <summary>Writes the magic before and the MD5 of <c>[4, 4 + protobufLength)</c> after the protobuf bytes.</summary>
    public static int Frame(Span<byte> aggregate, int protobufLength)
    {
        Magic.CopyTo(aggregate);
#pragma warning disable CA5351 // MD5 is the format's checksum, not a security measure.
        MD5.HashData(aggregate.Slice(MagicLength, protobufLength), aggregate.Slice(MagicLength + protobufLength, DigestLength));
#pragma warning restore CA5351
        return Overhead + protobufLength;
    }

    /// <summary>
    /// Writes the magic before the protobuf bytes and leaves the digest to <see cref="WriteDigest"/>, so that the MD5s
    /// of many aggregates are computed together (<see cref="Hashing.Md5MultiBuffer"/>). Returns the framed length.
    /// </summary>
    public static int FrameWithoutDigest(Span<byte> aggregate, int protobufLength)
    {
        Magic.CopyTo(aggregate);
        return Overhead + protobufLength;
    }

    /// <summary>The protobuf bytes of a framed aggregate of <paramref name="framedLength"/> bytes: what its MD5 covers.</summary>
    public static ReadOnlySpan<byte> DigestedBytes(ReadOnlySpan<byte> aggregate, int framedLength) => aggregate[MagicLength..(framedLength - DigestLength)];

    /// <summary>Writes the digest of a framed aggregate, given as the big-endian integer <see cref="Hashing.Md5MultiBuffer"/> returns.</summary>
    public static void WriteDigest(Span<byte> aggregate, int framedLength, UInt128 digest) =>
        BinaryPrimitives.WriteUInt128BigEndian(aggregate[(framedLength - DigestLength)..framedLength], digest);

    /// <summary>Whether the bytes carry the magic, more than a digest after it, and a digest that matches.</summary>
    public static bool HasValidFrame(ReadOnlySpan<byte> data)
    {
        if (data.Length <= Overhead || !data.StartsWith(Magic))
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[DigestLength];
#pragma warning disable CA5351 // MD5 is the format's checksum, not a security measure.
        MD5.HashData(data[MagicLength..^DigestLength], digest);
#pragma warning restore CA5351
        return digest.SequenceEqual(data[^DigestLength..]);
    }

    public static bool TryReadVarint(ReadOnlySpan<byte> source, ref int position, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= source.Length)
            {
                return false;
            }

            byte b = source[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Skips a field of the given wire type; false when the bytes end early or the type is unknown.</summary>
    public static bool TrySkip(ReadOnlySpan<byte> source, ref int position, int wireType)
    {
        switch (wireType)
        {
            case 0:
                return TryReadVarint(source, ref position, out _);
            case 1:
                position += 8;
                return position <= source.Length;
            case 2:
                if (!TryReadVarint(source, ref position, out ulong length) || length > (ulong)(source.Length - position))
                {
                    return false;
                }

                position += (int)length;
                return true;
            case 5:
                position += 4;
                return position <= source.Length;
            default:
                return false;
        }
    }

    /// <summary>Reads a length-delimited payload's bounds at <paramref name="position"/> (after its tag).</summary>
    public static bool TryReadLength(ReadOnlySpan<byte> source, ref int position, out int start, out int length)
    {
        start = length = 0;
        if (!TryReadVarint(source, ref position, out ulong value) || value > (ulong)(source.Length - position))
        {
            return false;
        }

        start = position;
        length = (int)value;
        position += length;
        return true;
    }

    /// <summary>Formats a 128-bit hash key as Kinesis writes it: decimal digits.</summary>
    public static string FormatHashKey(UInt128 hashKey) => hashKey.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads the first 16 bytes of an MD5 digest as the big-endian integer Kinesis routes by.</summary>
    public static UInt128 ReadBigEndian(ReadOnlySpan<byte> digest) => BinaryPrimitives.ReadUInt128BigEndian(digest);
}
