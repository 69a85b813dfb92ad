using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace StreamCore.Hashing;

/// <summary>The messages a multi-buffer hash reads: <see cref="Count"/> byte strings, by index.</summary>
internal interface IMessageList
{
    int Count { get; }

    ReadOnlySpan<byte> this[int index] { get; }
}

/// <summary>
/// MD5 of many messages at once: 16 (AVX-512) or 8 (AVX2) messages share one pass of the 64 rounds, one message per
/// vector lane, so the serial 64-step chain that bounds the scalar <see cref="Md5"/> (~100 ns a key) is paid once per
/// group. Results are the big-endian 128-bit integers <see cref="Md5.HashToUInt128"/> returns, lane for lane; verified
/// against the platform MD5 by property tests. Without vector hardware, or for fewer than two messages, it falls back
/// to the scalar path.
/// </summary>
/// <remarks>
/// Messages of different lengths share a group: each lane runs as many blocks as its own message has, and a lane whose
/// message is done keeps its state (a masked update) while the others go on.
/// </remarks>
internal static class Md5MultiBuffer
{
    /// <summary>Whether the vector path runs on this machine.</summary>
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated;

    /// <summary>Lanes per group on this machine (1 when not accelerated).</summary>
    public static int Lanes => Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 1;

    /// <summary>Writes the MD5 of <c>messages[i]</c> into <c>hashes[i]</c> for every message.</summary>
    public static void Hash<TMessages>(ref TMessages messages, Span<UInt128> hashes)
        where TMessages : struct, IMessageList
    {
        int count = messages.Count;
        ArgumentOutOfRangeException.ThrowIfLessThan(hashes.Length, count);
        int i = 0;
        if (count >= 2)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i < count; i += 16)
                {
                    HashGroup<Lanes512, TMessages>(ref messages, i, Math.Min(16, count - i), hashes);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; i < count; i += 8)
                {
                    HashGroup<Lanes256, TMessages>(ref messages, i, Math.Min(8, count - i), hashes);
                }
            }
        }

        for (; i < count; i++)
        {
            hashes[i] = Md5.HashToUInt128(messages[i]);
        }
    }

    private static int BlockCount(int length) => ((length + 8) >> 6) + 1;

    private static void HashGroup<TV, TMessages>(ref TMessages messages, int first, int lanes, Span<UInt128> hashes)
        where TV : struct, ILanes<TV>
        where TMessages : struct, IMessageList
    {
        int width = TV.Count;

        // Word w of lane l's current block at words[w * width + l]: a vector load then reads word w of every lane.
        Span<uint> words = stackalloc uint[16 * 16]; // zeroed once a group: ~1 KB, a few ns a key
        Span<int> blocks = stackalloc int[16];
        Span<byte> tail = stackalloc byte[64];
        int maxBlocks = 0;
        for (int l = 0; l < width; l++)
        {
            blocks[l] = l < lanes ? BlockCount(messages[first + l].Length) : 0;
            maxBlocks = Math.Max(maxBlocks, blocks[l]);
        }

        TV a = TV.Create(0x67452301), b = TV.Create(0xefcdab89), c = TV.Create(0x98badcfe), d = TV.Create(0x10325476);
        TV laneBlocks = TV.Load(ref Unsafe.As<int, uint>(ref MemoryMarshal.GetReference(blocks)));
        for (int block = 0; block < maxBlocks; block++)
        {
            for (int l = 0; l < lanes; l++)
            {
                if (block < blocks[l])
                {
                    LoadBlock(messages[first + l], block, blocks[l], words, l, width, tail);
                }
            }

            TV na = a, nb = b, nc = c, nd = d;
            TV.Compress(ref na, ref nb, ref nc, ref nd, ref MemoryMarshal.GetReference(words), width);

            // Lanes whose message has this block take the new state; the others keep theirs.
            TV live = TV.GreaterThan(laneBlocks, TV.Create((uint)block));
            a = TV.Select(live, na, a);
            b = TV.Select(live, nb, b);
            c = TV.Select(live, nc, c);
            d = TV.Select(live, nd, d);
        }

        Span<uint> digest = stackalloc uint[4 * 16];
        TV.Store(a, ref digest[0]);
        TV.Store(b, ref digest[16]);
        TV.Store(c, ref digest[32]);
        TV.Store(d, ref digest[48]);
        for (int l = 0; l < lanes; l++)
        {
            // The digest is a, b, c, d little-endian; read as one big-endian integer.
            ulong high = ((ulong)BinaryPrimitives.ReverseEndianness(digest[l]) << 32) | BinaryPrimitives.ReverseEndianness(digest[16 + l]);
            ulong low = ((ulong)BinaryPrimitives.ReverseEndianness(digest[32 + l]) << 32) | BinaryPrimitives.ReverseEndianness(digest[48 + l]);
            hashes[first + l] = new UInt128(high, low);
        }
    }

    // Block `block` of the padded message (0x80, zeros, the bit length in the last 8 bytes of the last block), as 16
    // little-endian words scattered into lane `lane` of the transposed layout.
    private static void LoadBlock(ReadOnlySpan<byte> message, int block, int blockCount, Span<uint> words, int lane, int width, Span<byte> tail)
    {
        int start = block * 64;
        ReadOnlySpan<byte> source;
        if (start + 64 <= message.Length)
        {
            source = message.Slice(start, 64);
        }
        else
        {
            tail.Clear();
            if (start <= message.Length)
            {
                ReadOnlySpan<byte> rest = message[start..];
                rest.CopyTo(tail);
                tail[rest.Length] = 0x80;
            }

            if (block == blockCount - 1)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(tail[56..], (ulong)message.Length * 8);
            }

            source = tail;
        }

        ReadOnlySpan<uint> w = MemoryMarshal.Cast<byte, uint>(source);
        for (int i = 0; i < 16; i++)
        {
            words[(i * width) + lane] = BitConverter.IsLittleEndian ? w[i] : BinaryPrimitives.ReverseEndianness(w[i]);
        }
    }

    // The 64 steps, b + rotl(a + f(b, c, d) + x + t, s), written out with literal rotate counts (vprold) for each vector
    // width: generic helpers with the count as a parameter defeat the JIT's constant folding and cost 10x.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compress512(ref Vector512<uint> a0, ref Vector512<uint> b0, ref Vector512<uint> c0, ref Vector512<uint> d0, ref uint w, int width)
    {
        Vector512<uint> x0 = Vector512.LoadUnsafe(ref w, (nuint)(0 * width));
        Vector512<uint> x1 = Vector512.LoadUnsafe(ref w, (nuint)(1 * width));
        Vector512<uint> x2 = Vector512.LoadUnsafe(ref w, (nuint)(2 * width));
        Vector512<uint> x3 = Vector512.LoadUnsafe(ref w, (nuint)(3 * width));
        Vector512<uint> x4 = Vector512.LoadUnsafe(ref w, (nuint)(4 * width));
        Vector512<uint> x5 = Vector512.LoadUnsafe(ref w, (nuint)(5 * width));
        Vector512<uint> x6 = Vector512.LoadUnsafe(ref w, (nuint)(6 * width));
        Vector512<uint> x7 = Vector512.LoadUnsafe(ref w, (nuint)(7 * width));
        Vector512<uint> x8 = Vector512.LoadUnsafe(ref w, (nuint)(8 * width));
        Vector512<uint> x9 = Vector512.LoadUnsafe(ref w, (nuint)(9 * width));
        Vector512<uint> x10 = Vector512.LoadUnsafe(ref w, (nuint)(10 * width));
        Vector512<uint> x11 = Vector512.LoadUnsafe(ref w, (nuint)(11 * width));
        Vector512<uint> x12 = Vector512.LoadUnsafe(ref w, (nuint)(12 * width));
        Vector512<uint> x13 = Vector512.LoadUnsafe(ref w, (nuint)(13 * width));
        Vector512<uint> x14 = Vector512.LoadUnsafe(ref w, (nuint)(14 * width));
        Vector512<uint> x15 = Vector512.LoadUnsafe(ref w, (nuint)(15 * width));
        Vector512<uint> a = a0, b = b0, c = c0, d = d0, t;
        t = a + x0 + Vector512.Create(0xd76aa478u) + Vector512.ConditionalSelect(b, c, d); a = b + Avx512F.RotateLeft(t, 7);
        t = d + x1 + Vector512.Create(0xe8c7b756u) + Vector512.ConditionalSelect(a, b, c); d = a + Avx512F.RotateLeft(t, 12);
        t = c + x2 + Vector512.Create(0x242070dbu) + Vector512.ConditionalSelect(d, a, b); c = d + Avx512F.RotateLeft(t, 17);
        t = b + x3 + Vector512.Create(0xc1bdceeeu) + Vector512.ConditionalSelect(c, d, a); b = c + Avx512F.RotateLeft(t, 22);
        t = a + x4 + Vector512.Create(0xf57c0fafu) + Vector512.ConditionalSelect(b, c, d); a = b + Avx512F.RotateLeft(t, 7);
        t = d + x5 + Vector512.Create(0x4787c62au) + Vector512.ConditionalSelect(a, b, c); d = a + Avx512F.RotateLeft(t, 12);
        t = c + x6 + Vector512.Create(0xa8304613u) + Vector512.ConditionalSelect(d, a, b); c = d + Avx512F.RotateLeft(t, 17);
        t = b + x7 + Vector512.Create(0xfd469501u) + Vector512.ConditionalSelect(c, d, a); b = c + Avx512F.RotateLeft(t, 22);
        t = a + x8 + Vector512.Create(0x698098d8u) + Vector512.ConditionalSelect(b, c, d); a = b + Avx512F.RotateLeft(t, 7);
        t = d + x9 + Vector512.Create(0x8b44f7afu) + Vector512.ConditionalSelect(a, b, c); d = a + Avx512F.RotateLeft(t, 12);
        t = c + x10 + Vector512.Create(0xffff5bb1u) + Vector512.ConditionalSelect(d, a, b); c = d + Avx512F.RotateLeft(t, 17);
        t = b + x11 + Vector512.Create(0x895cd7beu) + Vector512.ConditionalSelect(c, d, a); b = c + Avx512F.RotateLeft(t, 22);
        t = a + x12 + Vector512.Create(0x6b901122u) + Vector512.ConditionalSelect(b, c, d); a = b + Avx512F.RotateLeft(t, 7);
        t = d + x13 + Vector512.Create(0xfd987193u) + Vector512.ConditionalSelect(a, b, c); d = a + Avx512F.RotateLeft(t, 12);
        t = c + x14 + Vector512.Create(0xa679438eu) + Vector512.ConditionalSelect(d, a, b); c = d + Avx512F.RotateLeft(t, 17);
        t = b + x15 + Vector512.Create(0x49b40821u) + Vector512.ConditionalSelect(c, d, a); b = c + Avx512F.RotateLeft(t, 22);
        t = a + x1 + Vector512.Create(0xf61e2562u) + Vector512.ConditionalSelect(d, b, c); a = b + Avx512F.RotateLeft(t, 5);
        t = d + x6 + Vector512.Create(0xc040b340u) + Vector512.ConditionalSelect(c, a, b); d = a + Avx512F.RotateLeft(t, 9);
        t = c + x11 + Vector512.Create(0x265e5a51u) + Vector512.ConditionalSelect(b, d, a); c = d + Avx512F.RotateLeft(t, 14);
        t = b + x0 + Vector512.Create(0xe9b6c7aau) + Vector512.ConditionalSelect(a, c, d); b = c + Avx512F.RotateLeft(t, 20);
        t = a + x5 + Vector512.Create(0xd62f105du) + Vector512.ConditionalSelect(d, b, c); a = b + Avx512F.RotateLeft(t, 5);
        t = d + x10 + Vector512.Create(0x02441453u) + Vector512.ConditionalSelect(c, a, b); d = a + Avx512F.RotateLeft(t, 9);
        t = c + x15 + Vector512.Create(0xd8a1e681u) + Vector512.ConditionalSelect(b, d, a); c = d + Avx512F.RotateLeft(t, 14);
        t = b + x4 + Vector512.Create(0xe7d3fbc8u) + Vector512.ConditionalSelect(a, c, d); b = c + Avx512F.RotateLeft(t, 20);
        t = a + x9 + Vector512.Create(0x21e1cde6u) + Vector512.ConditionalSelect(d, b, c); a = b + Avx512F.RotateLeft(t, 5);
        t = d + x14 + Vector512.Create(0xc33707d6u) + Vector512.ConditionalSelect(c, a, b); d = a + Avx512F.RotateLeft(t, 9);
        t = c + x3 + Vector512.Create(0xf4d50d87u) + Vector512.ConditionalSelect(b, d, a); c = d + Avx512F.RotateLeft(t, 14);
        t = b + x8 + Vector512.Create(0x455a14edu) + Vector512.ConditionalSelect(a, c, d); b = c + Avx512F.RotateLeft(t, 20);
        t = a + x13 + Vector512.Create(0xa9e3e905u) + Vector512.ConditionalSelect(d, b, c); a = b + Avx512F.RotateLeft(t, 5);
        t = d + x2 + Vector512.Create(0xfcefa3f8u) + Vector512.ConditionalSelect(c, a, b); d = a + Avx512F.RotateLeft(t, 9);
        t = c + x7 + Vector512.Create(0x676f02d9u) + Vector512.ConditionalSelect(b, d, a); c = d + Avx512F.RotateLeft(t, 14);
        t = b + x12 + Vector512.Create(0x8d2a4c8au) + Vector512.ConditionalSelect(a, c, d); b = c + Avx512F.RotateLeft(t, 20);
        t = a + x5 + Vector512.Create(0xfffa3942u) + (b ^ c ^ d); a = b + Avx512F.RotateLeft(t, 4);
        t = d + x8 + Vector512.Create(0x8771f681u) + (a ^ b ^ c); d = a + Avx512F.RotateLeft(t, 11);
        t = c + x11 + Vector512.Create(0x6d9d6122u) + (d ^ a ^ b); c = d + Avx512F.RotateLeft(t, 16);
        t = b + x14 + Vector512.Create(0xfde5380cu) + (c ^ d ^ a); b = c + Avx512F.RotateLeft(t, 23);
        t = a + x1 + Vector512.Create(0xa4beea44u) + (b ^ c ^ d); a = b + Avx512F.RotateLeft(t, 4);
        t = d + x4 + Vector512.Create(0x4bdecfa9u) + (a ^ b ^ c); d = a + Avx512F.RotateLeft(t, 11);
        t = c + x7 + Vector512.Create(0xf6bb4b60u) + (d ^ a ^ b); c = d + Avx512F.RotateLeft(t, 16);
        t = b + x10 + Vector512.Create(0xbebfbc70u) + (c ^ d ^ a); b = c + Avx512F.RotateLeft(t, 23);
        t = a + x13 + Vector512.Create(0x289b7ec6u) + (b ^ c ^ d); a = b + Avx512F.RotateLeft(t, 4);
        t = d + x0 + Vector512.Create(0xeaa127fau) + (a ^ b ^ c); d = a + Avx512F.RotateLeft(t, 11);
        t = c + x3 + Vector512.Create(0xd4ef3085u) + (d ^ a ^ b); c = d + Avx512F.RotateLeft(t, 16);
        t = b + x6 + Vector512.Create(0x04881d05u) + (c ^ d ^ a); b = c + Avx512F.RotateLeft(t, 23);
        t = a + x9 + Vector512.Create(0xd9d4d039u) + (b ^ c ^ d); a = b + Avx512F.RotateLeft(t, 4);
        t = d + x12 + Vector512.Create(0xe6db99e5u) + (a ^ b ^ c); d = a + Avx512F.RotateLeft(t, 11);
        t = c + x15 + Vector512.Create(0x1fa27cf8u) + (d ^ a ^ b); c = d + Avx512F.RotateLeft(t, 16);
        t = b + x2 + Vector512.Create(0xc4ac5665u) + (c ^ d ^ a); b = c + Avx512F.RotateLeft(t, 23);
        t = a + x0 + Vector512.Create(0xf4292244u) + (c ^ (b | ~d)); a = b + Avx512F.RotateLeft(t, 6);
        t = d + x7 + Vector512.Create(0x432aff97u) + (b ^ (a | ~c)); d = a + Avx512F.RotateLeft(t, 10);
        t = c + x14 + Vector512.Create(0xab9423a7u) + (a ^ (d | ~b)); c = d + Avx512F.RotateLeft(t, 15);
        t = b + x5 + Vector512.Create(0xfc93a039u) + (d ^ (c | ~a)); b = c + Avx512F.RotateLeft(t, 21);
        t = a + x12 + Vector512.Create(0x655b59c3u) + (c ^ (b | ~d)); a = b + Avx512F.RotateLeft(t, 6);
        t = d + x3 + Vector512.Create(0x8f0ccc92u) + (b ^ (a | ~c)); d = a + Avx512F.RotateLeft(t, 10);
        t = c + x10 + Vector512.Create(0xffeff47du) + (a ^ (d | ~b)); c = d + Avx512F.RotateLeft(t, 15);
        t = b + x1 + Vector512.Create(0x85845dd1u) + (d ^ (c | ~a)); b = c + Avx512F.RotateLeft(t, 21);
        t = a + x8 + Vector512.Create(0x6fa87e4fu) + (c ^ (b | ~d)); a = b + Avx512F.RotateLeft(t, 6);
        t = d + x15 + Vector512.Create(0xfe2ce6e0u) + (b ^ (a | ~c)); d = a + Avx512F.RotateLeft(t, 10);
        t = c + x6 + Vector512.Create(0xa3014314u) + (a ^ (d | ~b)); c = d + Avx512F.RotateLeft(t, 15);
        t = b + x13 + Vector512.Create(0x4e0811a1u) + (d ^ (c | ~a)); b = c + Avx512F.RotateLeft(t, 21);
        t = a + x4 + Vector512.Create(0xf7537e82u) + (c ^ (b | ~d)); a = b + Avx512F.RotateLeft(t, 6);
        t = d + x11 + Vector512.Create(0xbd3af235u) + (b ^ (a | ~c)); d = a + Avx512F.RotateLeft(t, 10);
        t = c + x2 + Vector512.Create(0x2ad7d2bbu) + (a ^ (d | ~b)); c = d + Avx512F.RotateLeft(t, 15);
        t = b + x9 + Vector512.Create(0xeb86d391u) + (d ^ (c | ~a)); b = c + Avx512F.RotateLeft(t, 21);
        a0 += a;
        b0 += b;
        c0 += c;
        d0 += d;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compress256(ref Vector256<uint> a0, ref Vector256<uint> b0, ref Vector256<uint> c0, ref Vector256<uint> d0, ref uint w, int width)
    {
        Vector256<uint> x0 = Vector256.LoadUnsafe(ref w, (nuint)(0 * width));
        Vector256<uint> x1 = Vector256.LoadUnsafe(ref w, (nuint)(1 * width));
        Vector256<uint> x2 = Vector256.LoadUnsafe(ref w, (nuint)(2 * width));
        Vector256<uint> x3 = Vector256.LoadUnsafe(ref w, (nuint)(3 * width));
        Vector256<uint> x4 = Vector256.LoadUnsafe(ref w, (nuint)(4 * width));
        Vector256<uint> x5 = Vector256.LoadUnsafe(ref w, (nuint)(5 * width));
        Vector256<uint> x6 = Vector256.LoadUnsafe(ref w, (nuint)(6 * width));
        Vector256<uint> x7 = Vector256.LoadUnsafe(ref w, (nuint)(7 * width));
        Vector256<uint> x8 = Vector256.LoadUnsafe(ref w, (nuint)(8 * width));
        Vector256<uint> x9 = Vector256.LoadUnsafe(ref w, (nuint)(9 * width));
        Vector256<uint> x10 = Vector256.LoadUnsafe(ref w, (nuint)(10 * width));
        Vector256<uint> x11 = Vector256.LoadUnsafe(ref w, (nuint)(11 * width));
        Vector256<uint> x12 = Vector256.LoadUnsafe(ref w, (nuint)(12 * width));
        Vector256<uint> x13 = Vector256.LoadUnsafe(ref w, (nuint)(13 * width));
        Vector256<uint> x14 = Vector256.LoadUnsafe(ref w, (nuint)(14 * width));
        Vector256<uint> x15 = Vector256.LoadUnsafe(ref w, (nuint)(15 * width));
        Vector256<uint> a = a0, b = b0, c = c0, d = d0, t;
        t = a + x0 + Vector256.Create(0xd76aa478u) + Vector256.ConditionalSelect(b, c, d); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 7) : Vector256.ShiftLeft(t, 7) | Vector256.ShiftRightLogical(t, 25));
        t = d + x1 + Vector256.Create(0xe8c7b756u) + Vector256.ConditionalSelect(a, b, c); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 12) : Vector256.ShiftLeft(t, 12) | Vector256.ShiftRightLogical(t, 20));
        t = c + x2 + Vector256.Create(0x242070dbu) + Vector256.ConditionalSelect(d, a, b); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 17) : Vector256.ShiftLeft(t, 17) | Vector256.ShiftRightLogical(t, 15));
        t = b + x3 + Vector256.Create(0xc1bdceeeu) + Vector256.ConditionalSelect(c, d, a); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 22) : Vector256.ShiftLeft(t, 22) | Vector256.ShiftRightLogical(t, 10));
        t = a + x4 + Vector256.Create(0xf57c0fafu) + Vector256.ConditionalSelect(b, c, d); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 7) : Vector256.ShiftLeft(t, 7) | Vector256.ShiftRightLogical(t, 25));
        t = d + x5 + Vector256.Create(0x4787c62au) + Vector256.ConditionalSelect(a, b, c); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 12) : Vector256.ShiftLeft(t, 12) | Vector256.ShiftRightLogical(t, 20));
        t = c + x6 + Vector256.Create(0xa8304613u) + Vector256.ConditionalSelect(d, a, b); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 17) : Vector256.ShiftLeft(t, 17) | Vector256.ShiftRightLogical(t, 15));
        t = b + x7 + Vector256.Create(0xfd469501u) + Vector256.ConditionalSelect(c, d, a); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 22) : Vector256.ShiftLeft(t, 22) | Vector256.ShiftRightLogical(t, 10));
        t = a + x8 + Vector256.Create(0x698098d8u) + Vector256.ConditionalSelect(b, c, d); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 7) : Vector256.ShiftLeft(t, 7) | Vector256.ShiftRightLogical(t, 25));
        t = d + x9 + Vector256.Create(0x8b44f7afu) + Vector256.ConditionalSelect(a, b, c); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 12) : Vector256.ShiftLeft(t, 12) | Vector256.ShiftRightLogical(t, 20));
        t = c + x10 + Vector256.Create(0xffff5bb1u) + Vector256.ConditionalSelect(d, a, b); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 17) : Vector256.ShiftLeft(t, 17) | Vector256.ShiftRightLogical(t, 15));
        t = b + x11 + Vector256.Create(0x895cd7beu) + Vector256.ConditionalSelect(c, d, a); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 22) : Vector256.ShiftLeft(t, 22) | Vector256.ShiftRightLogical(t, 10));
        t = a + x12 + Vector256.Create(0x6b901122u) + Vector256.ConditionalSelect(b, c, d); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 7) : Vector256.ShiftLeft(t, 7) | Vector256.ShiftRightLogical(t, 25));
        t = d + x13 + Vector256.Create(0xfd987193u) + Vector256.ConditionalSelect(a, b, c); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 12) : Vector256.ShiftLeft(t, 12) | Vector256.ShiftRightLogical(t, 20));
        t = c + x14 + Vector256.Create(0xa679438eu) + Vector256.ConditionalSelect(d, a, b); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 17) : Vector256.ShiftLeft(t, 17) | Vector256.ShiftRightLogical(t, 15));
        t = b + x15 + Vector256.Create(0x49b40821u) + Vector256.ConditionalSelect(c, d, a); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 22) : Vector256.ShiftLeft(t, 22) | Vector256.ShiftRightLogical(t, 10));
        t = a + x1 + Vector256.Create(0xf61e2562u) + Vector256.ConditionalSelect(d, b, c); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 5) : Vector256.ShiftLeft(t, 5) | Vector256.ShiftRightLogical(t, 27));
        t = d + x6 + Vector256.Create(0xc040b340u) + Vector256.ConditionalSelect(c, a, b); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 9) : Vector256.ShiftLeft(t, 9) | Vector256.ShiftRightLogical(t, 23));
        t = c + x11 + Vector256.Create(0x265e5a51u) + Vector256.ConditionalSelect(b, d, a); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 14) : Vector256.ShiftLeft(t, 14) | Vector256.ShiftRightLogical(t, 18));
        t = b + x0 + Vector256.Create(0xe9b6c7aau) + Vector256.ConditionalSelect(a, c, d); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 20) : Vector256.ShiftLeft(t, 20) | Vector256.ShiftRightLogical(t, 12));
        t = a + x5 + Vector256.Create(0xd62f105du) + Vector256.ConditionalSelect(d, b, c); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 5) : Vector256.ShiftLeft(t, 5) | Vector256.ShiftRightLogical(t, 27));
        t = d + x10 + Vector256.Create(0x02441453u) + Vector256.ConditionalSelect(c, a, b); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 9) : Vector256.ShiftLeft(t, 9) | Vector256.ShiftRightLogical(t, 23));
        t = c + x15 + Vector256.Create(0xd8a1e681u) + Vector256.ConditionalSelect(b, d, a); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 14) : Vector256.ShiftLeft(t, 14) | Vector256.ShiftRightLogical(t, 18));
        t = b + x4 + Vector256.Create(0xe7d3fbc8u) + Vector256.ConditionalSelect(a, c, d); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 20) : Vector256.ShiftLeft(t, 20) | Vector256.ShiftRightLogical(t, 12));
        t = a + x9 + Vector256.Create(0x21e1cde6u) + Vector256.ConditionalSelect(d, b, c); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 5) : Vector256.ShiftLeft(t, 5) | Vector256.ShiftRightLogical(t, 27));
        t = d + x14 + Vector256.Create(0xc33707d6u) + Vector256.ConditionalSelect(c, a, b); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 9) : Vector256.ShiftLeft(t, 9) | Vector256.ShiftRightLogical(t, 23));
        t = c + x3 + Vector256.Create(0xf4d50d87u) + Vector256.ConditionalSelect(b, d, a); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 14) : Vector256.ShiftLeft(t, 14) | Vector256.ShiftRightLogical(t, 18));
        t = b + x8 + Vector256.Create(0x455a14edu) + Vector256.ConditionalSelect(a, c, d); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 20) : Vector256.ShiftLeft(t, 20) | Vector256.ShiftRightLogical(t, 12));
        t = a + x13 + Vector256.Create(0xa9e3e905u) + Vector256.ConditionalSelect(d, b, c); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 5) : Vector256.ShiftLeft(t, 5) | Vector256.ShiftRightLogical(t, 27));
        t = d + x2 + Vector256.Create(0xfcefa3f8u) + Vector256.ConditionalSelect(c, a, b); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 9) : Vector256.ShiftLeft(t, 9) | Vector256.ShiftRightLogical(t, 23));
        t = c + x7 + Vector256.Create(0x676f02d9u) + Vector256.ConditionalSelect(b, d, a); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 14) : Vector256.ShiftLeft(t, 14) | Vector256.ShiftRightLogical(t, 18));
        t = b + x12 + Vector256.Create(0x8d2a4c8au) + Vector256.ConditionalSelect(a, c, d); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 20) : Vector256.ShiftLeft(t, 20) | Vector256.ShiftRightLogical(t, 12));
        t = a + x5 + Vector256.Create(0xfffa3942u) + (b ^ c ^ d); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 4) : Vector256.ShiftLeft(t, 4) | Vector256.ShiftRightLogical(t, 28));
        t = d + x8 + Vector256.Create(0x8771f681u) + (a ^ b ^ c); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 11) : Vector256.ShiftLeft(t, 11) | Vector256.ShiftRightLogical(t, 21));
        t = c + x11 + Vector256.Create(0x6d9d6122u) + (d ^ a ^ b); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 16) : Vector256.ShiftLeft(t, 16) | Vector256.ShiftRightLogical(t, 16));
        t = b + x14 + Vector256.Create(0xfde5380cu) + (c ^ d ^ a); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 23) : Vector256.ShiftLeft(t, 23) | Vector256.ShiftRightLogical(t, 9));
        t = a + x1 + Vector256.Create(0xa4beea44u) + (b ^ c ^ d); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 4) : Vector256.ShiftLeft(t, 4) | Vector256.ShiftRightLogical(t, 28));
        t = d + x4 + Vector256.Create(0x4bdecfa9u) + (a ^ b ^ c); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 11) : Vector256.ShiftLeft(t, 11) | Vector256.ShiftRightLogical(t, 21));
        t = c + x7 + Vector256.Create(0xf6bb4b60u) + (d ^ a ^ b); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 16) : Vector256.ShiftLeft(t, 16) | Vector256.ShiftRightLogical(t, 16));
        t = b + x10 + Vector256.Create(0xbebfbc70u) + (c ^ d ^ a); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 23) : Vector256.ShiftLeft(t, 23) | Vector256.ShiftRightLogical(t, 9));
        t = a + x13 + Vector256.Create(0x289b7ec6u) + (b ^ c ^ d); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 4) : Vector256.ShiftLeft(t, 4) | Vector256.ShiftRightLogical(t, 28));
        t = d + x0 + Vector256.Create(0xeaa127fau) + (a ^ b ^ c); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 11) : Vector256.ShiftLeft(t, 11) | Vector256.ShiftRightLogical(t, 21));
        t = c + x3 + Vector256.Create(0xd4ef3085u) + (d ^ a ^ b); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 16) : Vector256.ShiftLeft(t, 16) | Vector256.ShiftRightLogical(t, 16));
        t = b + x6 + Vector256.Create(0x04881d05u) + (c ^ d ^ a); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 23) : Vector256.ShiftLeft(t, 23) | Vector256.ShiftRightLogical(t, 9));
        t = a + x9 + Vector256.Create(0xd9d4d039u) + (b ^ c ^ d); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 4) : Vector256.ShiftLeft(t, 4) | Vector256.ShiftRightLogical(t, 28));
        t = d + x12 + Vector256.Create(0xe6db99e5u) + (a ^ b ^ c); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 11) : Vector256.ShiftLeft(t, 11) | Vector256.ShiftRightLogical(t, 21));
        t = c + x15 + Vector256.Create(0x1fa27cf8u) + (d ^ a ^ b); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 16) : Vector256.ShiftLeft(t, 16) | Vector256.ShiftRightLogical(t, 16));
        t = b + x2 + Vector256.Create(0xc4ac5665u) + (c ^ d ^ a); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 23) : Vector256.ShiftLeft(t, 23) | Vector256.ShiftRightLogical(t, 9));
        t = a + x0 + Vector256.Create(0xf4292244u) + (c ^ (b | ~d)); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 6) : Vector256.ShiftLeft(t, 6) | Vector256.ShiftRightLogical(t, 26));
        t = d + x7 + Vector256.Create(0x432aff97u) + (b ^ (a | ~c)); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 10) : Vector256.ShiftLeft(t, 10) | Vector256.ShiftRightLogical(t, 22));
        t = c + x14 + Vector256.Create(0xab9423a7u) + (a ^ (d | ~b)); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 15) : Vector256.ShiftLeft(t, 15) | Vector256.ShiftRightLogical(t, 17));
        t = b + x5 + Vector256.Create(0xfc93a039u) + (d ^ (c | ~a)); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 21) : Vector256.ShiftLeft(t, 21) | Vector256.ShiftRightLogical(t, 11));
        t = a + x12 + Vector256.Create(0x655b59c3u) + (c ^ (b | ~d)); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 6) : Vector256.ShiftLeft(t, 6) | Vector256.ShiftRightLogical(t, 26));
        t = d + x3 + Vector256.Create(0x8f0ccc92u) + (b ^ (a | ~c)); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 10) : Vector256.ShiftLeft(t, 10) | Vector256.ShiftRightLogical(t, 22));
        t = c + x10 + Vector256.Create(0xffeff47du) + (a ^ (d | ~b)); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 15) : Vector256.ShiftLeft(t, 15) | Vector256.ShiftRightLogical(t, 17));
        t = b + x1 + Vector256.Create(0x85845dd1u) + (d ^ (c | ~a)); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 21) : Vector256.ShiftLeft(t, 21) | Vector256.ShiftRightLogical(t, 11));
        t = a + x8 + Vector256.Create(0x6fa87e4fu) + (c ^ (b | ~d)); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 6) : Vector256.ShiftLeft(t, 6) | Vector256.ShiftRightLogical(t, 26));
        t = d + x15 + Vector256.Create(0xfe2ce6e0u) + (b ^ (a | ~c)); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 10) : Vector256.ShiftLeft(t, 10) | Vector256.ShiftRightLogical(t, 22));
        t = c + x6 + Vector256.Create(0xa3014314u) + (a ^ (d | ~b)); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 15) : Vector256.ShiftLeft(t, 15) | Vector256.ShiftRightLogical(t, 17));
        t = b + x13 + Vector256.Create(0x4e0811a1u) + (d ^ (c | ~a)); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 21) : Vector256.ShiftLeft(t, 21) | Vector256.ShiftRightLogical(t, 11));
        t = a + x4 + Vector256.Create(0xf7537e82u) + (c ^ (b | ~d)); a = b + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 6) : Vector256.ShiftLeft(t, 6) | Vector256.ShiftRightLogical(t, 26));
        t = d + x11 + Vector256.Create(0xbd3af235u) + (b ^ (a | ~c)); d = a + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 10) : Vector256.ShiftLeft(t, 10) | Vector256.ShiftRightLogical(t, 22));
        t = c + x2 + Vector256.Create(0x2ad7d2bbu) + (a ^ (d | ~b)); c = d + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 15) : Vector256.ShiftLeft(t, 15) | Vector256.ShiftRightLogical(t, 17));
        t = b + x9 + Vector256.Create(0xeb86d391u) + (d ^ (c | ~a)); b = c + (Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(t, 21) : Vector256.ShiftLeft(t, 21) | Vector256.ShiftRightLogical(t, 11));
        a0 += a;
        b0 += b;
        c0 += c;
        d0 += d;
    }

    /// <summary>The few lane-wise operations MD5 needs, over one vector width (the JIT specializes each).</summary>
    private interface ILanes<TSelf>
        where TSelf : struct, ILanes<TSelf>
    {
        static abstract int Count { get; }

        static abstract TSelf Create(uint value);

        static abstract TSelf Load(ref uint source);

        static abstract void Store(TSelf value, ref uint destination);

        static abstract void Compress(ref TSelf a, ref TSelf b, ref TSelf c, ref TSelf d, ref uint words, int width);

        static abstract TSelf GreaterThan(TSelf left, TSelf right);

        static abstract TSelf Select(TSelf mask, TSelf whenTrue, TSelf whenFalse);
    }

    private readonly struct Lanes512(Vector512<uint> value) : ILanes<Lanes512>
    {
        private readonly Vector512<uint> _value = value;

        public static int Count => 16;

        public static Lanes512 Create(uint value) => new(Vector512.Create(value));

        public static Lanes512 Load(ref uint source) => new(Vector512.LoadUnsafe(ref source));

        public static void Store(Lanes512 value, ref uint destination) => value._value.StoreUnsafe(ref destination);

        public static void Compress(ref Lanes512 a, ref Lanes512 b, ref Lanes512 c, ref Lanes512 d, ref uint words, int width) =>
            Compress512(ref Unsafe.As<Lanes512, Vector512<uint>>(ref a), ref Unsafe.As<Lanes512, Vector512<uint>>(ref b), ref Unsafe.As<Lanes512, Vector512<uint>>(ref c), ref Unsafe.As<Lanes512, Vector512<uint>>(ref d), ref words, width);

        public static Lanes512 GreaterThan(Lanes512 left, Lanes512 right) => new(Vector512.GreaterThan(left._value, right._value));

        public static Lanes512 Select(Lanes512 mask, Lanes512 whenTrue, Lanes512 whenFalse) => new(Vector512.ConditionalSelect(mask._value, whenTrue._value, whenFalse._value));
    }

    private readonly struct Lanes256(Vector256<uint> value) : ILanes<Lanes256>
    {
        private readonly Vector256<uint> _value = value;

        public static int Count => 8;

        public static Lanes256 Create(uint value) => new(Vector256.Create(value));

        public static Lanes256 Load(ref uint source) => new(Vector256.LoadUnsafe(ref source));

        public static void Store(Lanes256 value, ref uint destination) => value._value.StoreUnsafe(ref destination);

        public static void Compress(ref Lanes256 a, ref Lanes256 b, ref Lanes256 c, ref Lanes256 d, ref uint words, int width) =>
            Compress256(ref Unsafe.As<Lanes256, Vector256<uint>>(ref a), ref Unsafe.As<Lanes256, Vector256<uint>>(ref b), ref Unsafe.As<Lanes256, Vector256<uint>>(ref c), ref Unsafe.As<Lanes256, Vector256<uint>>(ref d), ref words, width);

        public static Lanes256 GreaterThan(Lanes256 left, Lanes256 right) => new(Vector256.GreaterThan(left._value, right._value));

        public static Lanes256 Select(Lanes256 mask, Lanes256 whenTrue, Lanes256 whenFalse) => new(Vector256.ConditionalSelect(mask._value, whenTrue._value, whenFalse._value));
    }
}
