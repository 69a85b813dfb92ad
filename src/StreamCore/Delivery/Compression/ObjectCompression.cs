using System.Buffers.Binary;
using System.IO.Compression;
using Snappier;

namespace StreamCore.Delivery.Compression;

/// <summary>
/// Firehose's CompressionFormat values applied to a delivered object: UNCOMPRESSED (as is), GZIP (.gz), ZIP (.zip, one
/// entry), Snappy (.snappy, the framing format), HADOOP_SNAPPY (.snappy, Hadoop's block format: per block the
/// uncompressed length, then one compressed chunk with its length, both 4-byte big-endian).
/// </summary>
internal static class ObjectCompression
{
    /// <summary>The uncompressed bytes per Hadoop-Snappy block (Hadoop's default buffer).</summary>
    public const int HadoopSnappyBlockBytes = 256 * 1024;

    /// <summary>The extension a format gives an object when no FileExtension is configured.</summary>
    public static string Extension(string format) => format switch
    {
        "GZIP" => ".gz",
        "ZIP" => ".zip",
        "Snappy" or "HADOOP_SNAPPY" => ".snappy",
        _ => string.Empty,
    };

    /// <summary>The object's bytes: <paramref name="content"/> as is, or compressed (a ZIP's one entry is <paramref name="entryName"/>).</summary>
    public static ReadOnlyMemory<byte> Compress(string format, ReadOnlyMemory<byte> content, string entryName)
    {
        switch (format)
        {
            case "GZIP":
            {
                var output = new MemoryStream(content.Length / 3 + 64);
                using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
                {
                    gzip.Write(content.Span);
                }

                return output.GetBuffer().AsMemory(0, (int)output.Length);
            }

            case "ZIP":
            {
                var output = new MemoryStream(content.Length / 3 + 256);
                using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
                {
                    using Stream entry = zip.CreateEntry(entryName, CompressionLevel.Optimal).Open();
                    entry.Write(content.Span);
                }

                return output.GetBuffer().AsMemory(0, (int)output.Length);
            }

            case "Snappy":
            {
                var output = new MemoryStream(content.Length / 2 + 64);
                using (var snappy = new SnappyStream(output, CompressionMode.Compress, leaveOpen: true))
                {
                    snappy.Write(content.Span);
                }

                return output.GetBuffer().AsMemory(0, (int)output.Length);
            }

            case "HADOOP_SNAPPY":
                return HadoopSnappy(content.Span);

            default:
                return content;
        }
    }

    private static byte[] HadoopSnappy(ReadOnlySpan<byte> content)
    {
        int blocks = Math.Max(1, (content.Length + HadoopSnappyBlockBytes - 1) / HadoopSnappyBlockBytes);
        byte[] output = new byte[blocks * (8 + Snappy.GetMaxCompressedLength(HadoopSnappyBlockBytes))];
        int written = 0;
        int offset = 0;
        do
        {
            ReadOnlySpan<byte> block = content.Slice(offset, Math.Min(HadoopSnappyBlockBytes, content.Length - offset));
            BinaryPrimitives.WriteInt32BigEndian(output.AsSpan(written), block.Length);
            int compressed = Snappy.Compress(block, output.AsSpan(written + 8));
            BinaryPrimitives.WriteInt32BigEndian(output.AsSpan(written + 4), compressed);
            written += 8 + compressed;
            offset += block.Length;
        }
        while (offset < content.Length);

        return output.AsSpan(0, written).ToArray();
    }
}
