using System.Globalization;
using System.Text;

namespace StreamCore.Hashing;

/// <summary>Maps partition keys and explicit hash keys to 128-bit hash keys, as Kinesis does.</summary>
internal static class PartitionKeyHash
{
    /// <summary>Kinesis limits partition keys to 256 characters; at most 3 UTF-8 bytes per UTF-16 unit.</summary>
    internal const int MaxPartitionKeyBytes = 256 * 3;

    /// <summary>MD5 of the key's UTF-8 bytes, read as an unsigned big-endian 128-bit integer. Allocates nothing.</summary>
    public static UInt128 Hash(ReadOnlySpan<char> partitionKey)
    {
        Span<byte> utf8 = partitionKey.Length <= 256 ? stackalloc byte[partitionKey.Length * 3] : new byte[partitionKey.Length * 3];
        int length = Encoding.UTF8.GetBytes(partitionKey, utf8);
        return Md5.HashToUInt128(utf8[..length]);
    }

    /// <summary>
    /// Parses an explicit hash key: decimal digits with no sign, spaces or leading zeros.
    /// </summary>
    /// <returns>
    /// <see cref="ExplicitHashKeyParse.Ok"/>; <see cref="ExplicitHashKeyParse.Malformed"/> when the text does not match
    /// <c>0|([1-9]\d{0,38})</c>; <see cref="ExplicitHashKeyParse.OutOfRange"/> when it matches but is 2^128 or more.
    /// </returns>
    public static ExplicitHashKeyParse TryParseExplicitHashKey(ReadOnlySpan<char> text, out UInt128 hashKey)
    {
        hashKey = default;
        if (text.IsEmpty || text.Length > 39 || text.ContainsAnyExceptInRange('0', '9') || (text.Length > 1 && text[0] == '0'))
        {
            return ExplicitHashKeyParse.Malformed;
        }

        return UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out hashKey)
            ? ExplicitHashKeyParse.Ok
            : ExplicitHashKeyParse.OutOfRange;
    }
}

/// <summary>The outcome of parsing an explicit hash key.</summary>
internal enum ExplicitHashKeyParse
{
    Ok,
    Malformed,
    OutOfRange,
}
