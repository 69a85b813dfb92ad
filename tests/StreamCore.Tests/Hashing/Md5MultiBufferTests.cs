using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using StreamCore.Hashing;

namespace StreamCore.Tests.Hashing;

public class Md5MultiBufferTests
{
    private readonly struct Messages(byte[][] messages) : IMessageList
    {
        public int Count => messages.Length;

        public ReadOnlySpan<byte> this[int index] => messages[index];
    }

    private static UInt128 PlatformMd5(byte[] message) => BinaryPrimitives.ReadUInt128BigEndian(System.Security.Cryptography.MD5.HashData(message));

    private static bool AllMatch(byte[][] messages)
    {
        var list = new Messages(messages);
        var hashes = new UInt128[messages.Length];
        Md5MultiBuffer.Hash(ref list, hashes);
        for (int i = 0; i < messages.Length; i++)
        {
            if (hashes[i] != PlatformMd5(messages[i]))
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void The_vector_path_runs_on_this_machine() =>
        // The property tests below would otherwise only compare the scalar fallback with itself on CI machines that have AVX2.
        Assert.True(Md5MultiBuffer.IsAccelerated, "neither Vector512 nor Vector256 is hardware-accelerated here");

    [Property(MaxTest = 300)]
    public bool Matches_the_platform_MD5_for_any_batch_of_keys(NonEmptyString[] keys)
    {
        // Any strings, including non-ASCII ones (FsCheck draws from all of UTF-16), encoded as partition keys are.
        byte[][] messages = [.. keys.Select(k => Encoding.UTF8.GetBytes(k.Get))];
        return AllMatch(messages);
    }

    [Property(MaxTest = 300)]
    public bool Matches_the_platform_MD5_for_any_lengths_in_one_group(PositiveInt[] lengths, int seed)
    {
        // Lengths up to 1,100 bytes: one to eighteen blocks, mixed in one group, so lanes finish at different blocks.
        var random = new Random(seed);
        byte[][] messages = [.. lengths.Select(l => { var m = new byte[l.Get % 1100]; random.NextBytes(m); return m; })];
        return AllMatch(messages);
    }

    [Fact]
    public void Matches_the_platform_MD5_at_every_length_across_the_padding_boundaries()
    {
        // Every length 0..200 side by side (block counts 1..4 in one group), in every lane position.
        byte[][] messages = [.. Enumerable.Range(0, 201).Select(n => Enumerable.Range(0, n).Select(i => (byte)((i * 37) + n)).ToArray())];
        Assert.True(AllMatch(messages));
        Assert.True(AllMatch([.. messages.Reverse()]));
    }

    [Fact]
    public void Matches_the_platform_MD5_for_non_ASCII_partition_keys_of_the_longest_length()
    {
        string[] keys = [new string('é', 256), new string('€', 256), string.Concat(Enumerable.Repeat("😀", 128)), "ü", "日本語キー", new string('x', 256)];
        Assert.True(AllMatch([.. keys.Select(Encoding.UTF8.GetBytes)]));
    }
}
