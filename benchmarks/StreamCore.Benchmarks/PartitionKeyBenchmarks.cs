using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using StreamCore.Hashing;

namespace StreamCore.Benchmarks;

/// <summary>
/// Scenario 2: appends routed by MD5 of the partition key to a 4-shard stream, with all-distinct keys and with a hot
/// set of 16 keys; and the parts of the path on their own, to show where the time goes.
/// </summary>
[MemoryDiagnoser]
public class PartitionKeyBenchmarks
{
    private const int N = 200_000;
    private string[] _distinct = [];
    private string[] _hot = [];
    private byte[] _payload = [];
    private StreamEngine _engine = null!;
    private DataStream _stream = null!;
    private StreamEngine _coarseEngine = null!;
    private DataStream _coarseStream = null!;
    private int _n;
    private byte[][] _distinctUtf8 = [];
    private UInt128[] _hashes = [];

    [GlobalSetup]
    public void Setup()
    {
        _n = Scale.Records(N);
        _distinct = [.. Enumerable.Range(0, _n).Select(i => "user-" + i.ToString("D8", CultureInfo.InvariantCulture))];
        _hot = [.. Enumerable.Range(0, _n).Select(i => "user-" + (i % 16).ToString("D8", CultureInfo.InvariantCulture))];
        _payload = Fixtures.Payload();
        _distinctUtf8 = [.. _distinct.Select(Encoding.UTF8.GetBytes)];
        _hashes = new UInt128[_n];
        _engine = Fixtures.BoundedEngine();
        _stream = _engine.CreateStream("s", 4);
        _coarseEngine = Fixtures.BoundedEngine(coarseClock: true);
        _coarseStream = _coarseEngine.CreateStream("s", 4);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _coarseEngine.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Append_distinct_keys()
    {
        foreach (string key in _distinct)
        {
            _stream.Append(key, _payload);
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Append_hot_keys()
    {
        foreach (string key in _hot)
        {
            _stream.Append(key, _payload);
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Append_distinct_keys_coarse_clock()
    {
        foreach (string key in _distinct)
        {
            _coarseStream.Append(key, _payload);
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Append_hot_keys_coarse_clock()
    {
        foreach (string key in _hot)
        {
            _coarseStream.Append(key, _payload);
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int Part_utf8_encode_only()
    {
        Span<byte> buffer = stackalloc byte[1024];
        int total = 0;
        foreach (string key in _distinct)
        {
            total += Encoding.UTF8.GetBytes(key, buffer);
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public UInt128 Part_md5_only()
    {
        UInt128 x = 0;
        foreach (string key in _distinct)
        {
            x ^= PartitionKeyHash.Hash(key);
        }

        return x;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Part_append_without_hashing()
    {
        foreach (string key in _distinct)
        {
            _stream.Append(key, UInt128.Zero, _payload);
        }
    }

    /// <summary>Issue 17: the scalar MD5 of pre-encoded distinct keys, one after the other (baseline of the next).</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public UInt128 Part_md5_scalar_of_encoded_keys()
    {
        UInt128 x = 0;
        foreach (byte[] key in _distinctUtf8)
        {
            x ^= Md5.HashToUInt128(key);
        }

        return x;
    }

    /// <summary>Issue 17: the same keys hashed 16 (AVX-512) or 8 (AVX2) at a time.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public UInt128 Part_md5_multibuffer_of_encoded_keys()
    {
        var keys = new EncodedKeys(_distinctUtf8);
        Md5MultiBuffer.Hash(ref keys, _hashes);
        return _hashes[^1];
    }

    private readonly struct EncodedKeys(byte[][] keys) : IMessageList
    {
        public int Count => keys.Length;

        public ReadOnlySpan<byte> this[int index] => keys[index];
    }
}
