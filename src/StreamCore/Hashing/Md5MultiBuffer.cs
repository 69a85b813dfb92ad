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

            ref uint x = ref MemoryMarshal.GetReference(words);
            (TV na, TV nb, TV nc, TV nd) = Compress(a, b, c, d, ref x, width);

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV X<TV>(ref uint words, int width, int i)
        where TV : struct, ILanes<TV> => TV.Load(ref Unsafe.Add(ref words, i * width));

    // b + rotl(a + f(b, c, d) + x + t, s), as the scalar Md5 computes it, in every lane at once.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV F<TV>(TV a, TV b, TV c, TV d, TV x, uint t, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte s)
        where TV : struct, ILanes<TV> => TV.Add(b, TV.RotateLeft(TV.Add(TV.Add(a, x), TV.Add(TV.Create(t), TV.Xor(d, TV.And(b, TV.Xor(c, d))))), s));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV G<TV>(TV a, TV b, TV c, TV d, TV x, uint t, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte s)
        where TV : struct, ILanes<TV> => TV.Add(b, TV.RotateLeft(TV.Add(TV.Add(a, x), TV.Add(TV.Create(t), TV.Xor(c, TV.And(d, TV.Xor(b, c))))), s));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV H<TV>(TV a, TV b, TV c, TV d, TV x, uint t, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte s)
        where TV : struct, ILanes<TV> => TV.Add(b, TV.RotateLeft(TV.Add(TV.Add(a, x), TV.Add(TV.Create(t), TV.Xor(TV.Xor(b, c), d))), s));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV I<TV>(TV a, TV b, TV c, TV d, TV x, uint t, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte s)
        where TV : struct, ILanes<TV> => TV.Add(b, TV.RotateLeft(TV.Add(TV.Add(a, x), TV.Add(TV.Create(t), TV.Xor(c, TV.Or(b, TV.Not(d))))), s));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (TV A, TV B, TV C, TV D) Compress<TV>(TV a0, TV b0, TV c0, TV d0, ref uint w, int width)
        where TV : struct, ILanes<TV>
    {
        TV x0 = X<TV>(ref w, width, 0), x1 = X<TV>(ref w, width, 1), x2 = X<TV>(ref w, width, 2), x3 = X<TV>(ref w, width, 3);
        TV x4 = X<TV>(ref w, width, 4), x5 = X<TV>(ref w, width, 5), x6 = X<TV>(ref w, width, 6), x7 = X<TV>(ref w, width, 7);
        TV x8 = X<TV>(ref w, width, 8), x9 = X<TV>(ref w, width, 9), x10 = X<TV>(ref w, width, 10), x11 = X<TV>(ref w, width, 11);
        TV x12 = X<TV>(ref w, width, 12), x13 = X<TV>(ref w, width, 13), x14 = X<TV>(ref w, width, 14), x15 = X<TV>(ref w, width, 15);
        TV a = a0, b = b0, c = c0, d = d0;

        a = F(a, b, c, d, x0, 0xd76aa478, 7); d = F(d, a, b, c, x1, 0xe8c7b756, 12); c = F(c, d, a, b, x2, 0x242070db, 17); b = F(b, c, d, a, x3, 0xc1bdceee, 22);
        a = F(a, b, c, d, x4, 0xf57c0faf, 7); d = F(d, a, b, c, x5, 0x4787c62a, 12); c = F(c, d, a, b, x6, 0xa8304613, 17); b = F(b, c, d, a, x7, 0xfd469501, 22);
        a = F(a, b, c, d, x8, 0x698098d8, 7); d = F(d, a, b, c, x9, 0x8b44f7af, 12); c = F(c, d, a, b, x10, 0xffff5bb1, 17); b = F(b, c, d, a, x11, 0x895cd7be, 22);
        a = F(a, b, c, d, x12, 0x6b901122, 7); d = F(d, a, b, c, x13, 0xfd987193, 12); c = F(c, d, a, b, x14, 0xa679438e, 17); b = F(b, c, d, a, x15, 0x49b40821, 22);

        a = G(a, b, c, d, x1, 0xf61e2562, 5); d = G(d, a, b, c, x6, 0xc040b340, 9); c = G(c, d, a, b, x11, 0x265e5a51, 14); b = G(b, c, d, a, x0, 0xe9b6c7aa, 20);
        a = G(a, b, c, d, x5, 0xd62f105d, 5); d = G(d, a, b, c, x10, 0x02441453, 9); c = G(c, d, a, b, x15, 0xd8a1e681, 14); b = G(b, c, d, a, x4, 0xe7d3fbc8, 20);
        a = G(a, b, c, d, x9, 0x21e1cde6, 5); d = G(d, a, b, c, x14, 0xc33707d6, 9); c = G(c, d, a, b, x3, 0xf4d50d87, 14); b = G(b, c, d, a, x8, 0x455a14ed, 20);
        a = G(a, b, c, d, x13, 0xa9e3e905, 5); d = G(d, a, b, c, x2, 0xfcefa3f8, 9); c = G(c, d, a, b, x7, 0x676f02d9, 14); b = G(b, c, d, a, x12, 0x8d2a4c8a, 20);

        a = H(a, b, c, d, x5, 0xfffa3942, 4); d = H(d, a, b, c, x8, 0x8771f681, 11); c = H(c, d, a, b, x11, 0x6d9d6122, 16); b = H(b, c, d, a, x14, 0xfde5380c, 23);
        a = H(a, b, c, d, x1, 0xa4beea44, 4); d = H(d, a, b, c, x4, 0x4bdecfa9, 11); c = H(c, d, a, b, x7, 0xf6bb4b60, 16); b = H(b, c, d, a, x10, 0xbebfbc70, 23);
        a = H(a, b, c, d, x13, 0x289b7ec6, 4); d = H(d, a, b, c, x0, 0xeaa127fa, 11); c = H(c, d, a, b, x3, 0xd4ef3085, 16); b = H(b, c, d, a, x6, 0x04881d05, 23);
        a = H(a, b, c, d, x9, 0xd9d4d039, 4); d = H(d, a, b, c, x12, 0xe6db99e5, 11); c = H(c, d, a, b, x15, 0x1fa27cf8, 16); b = H(b, c, d, a, x2, 0xc4ac5665, 23);

        a = I(a, b, c, d, x0, 0xf4292244, 6); d = I(d, a, b, c, x7, 0x432aff97, 10); c = I(c, d, a, b, x14, 0xab9423a7, 15); b = I(b, c, d, a, x5, 0xfc93a039, 21);
        a = I(a, b, c, d, x12, 0x655b59c3, 6); d = I(d, a, b, c, x3, 0x8f0ccc92, 10); c = I(c, d, a, b, x10, 0xffeff47d, 15); b = I(b, c, d, a, x1, 0x85845dd1, 21);
        a = I(a, b, c, d, x8, 0x6fa87e4f, 6); d = I(d, a, b, c, x15, 0xfe2ce6e0, 10); c = I(c, d, a, b, x6, 0xa3014314, 15); b = I(b, c, d, a, x13, 0x4e0811a1, 21);
        a = I(a, b, c, d, x4, 0xf7537e82, 6); d = I(d, a, b, c, x11, 0xbd3af235, 10); c = I(c, d, a, b, x2, 0x2ad7d2bb, 15); b = I(b, c, d, a, x9, 0xeb86d391, 21);

        return (TV.Add(a0, a), TV.Add(b0, b), TV.Add(c0, c), TV.Add(d0, d));
    }

    /// <summary>The few lane-wise operations MD5 needs, over one vector width (the JIT specializes each).</summary>
    private interface ILanes<TSelf>
        where TSelf : struct, ILanes<TSelf>
    {
        static abstract int Count { get; }

        static abstract TSelf Create(uint value);

        static abstract TSelf Load(ref uint source);

        static abstract void Store(TSelf value, ref uint destination);

        static abstract TSelf Add(TSelf left, TSelf right);

        static abstract TSelf And(TSelf left, TSelf right);

        static abstract TSelf Or(TSelf left, TSelf right);

        static abstract TSelf Xor(TSelf left, TSelf right);

        static abstract TSelf Not(TSelf value);

        static abstract TSelf RotateLeft(TSelf value, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte count);

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

        public static Lanes512 Add(Lanes512 left, Lanes512 right) => new(left._value + right._value);

        public static Lanes512 And(Lanes512 left, Lanes512 right) => new(left._value & right._value);

        public static Lanes512 Or(Lanes512 left, Lanes512 right) => new(left._value | right._value);

        public static Lanes512 Xor(Lanes512 left, Lanes512 right) => new(left._value ^ right._value);

        public static Lanes512 Not(Lanes512 value) => new(~value._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes512 RotateLeft(Lanes512 value, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte count) =>
            new(Avx512F.IsSupported ? Avx512F.RotateLeft(value._value, count) : Vector512.ShiftLeft(value._value, count) | Vector512.ShiftRightLogical(value._value, 32 - count));

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

        public static Lanes256 Add(Lanes256 left, Lanes256 right) => new(left._value + right._value);

        public static Lanes256 And(Lanes256 left, Lanes256 right) => new(left._value & right._value);

        public static Lanes256 Or(Lanes256 left, Lanes256 right) => new(left._value | right._value);

        public static Lanes256 Xor(Lanes256 left, Lanes256 right) => new(left._value ^ right._value);

        public static Lanes256 Not(Lanes256 value) => new(~value._value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Lanes256 RotateLeft(Lanes256 value, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte count) =>
            new(Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(value._value, count) : Vector256.ShiftLeft(value._value, count) | Vector256.ShiftRightLogical(value._value, 32 - count));

        public static Lanes256 GreaterThan(Lanes256 left, Lanes256 right) => new(Vector256.GreaterThan(left._value, right._value));

        public static Lanes256 Select(Lanes256 mask, Lanes256 whenTrue, Lanes256 whenFalse) => new(Vector256.ConditionalSelect(mask._value, whenTrue._value, whenFalse._value));
    }
}
