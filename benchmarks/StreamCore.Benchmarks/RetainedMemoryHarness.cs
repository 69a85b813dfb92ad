namespace StreamCore.Benchmarks;

/// <summary>
/// Scenario 7: managed bytes retained per 100-byte record, beyond payload and partition key, after writing many
/// records. Baseline: the same records kept as objects in a List (what a naive in-memory double does).
/// </summary>
public static class RetainedMemoryHarness
{
    private sealed record NaiveRecord(string PartitionKey, byte[] Data, string SequenceNumber, DateTime Arrival);

    public static void Run(int records)
    {
        const int payloadSize = 100;
        const int keyBytes = 10; // "key-000042": 10 ASCII bytes
        byte[] payload = Fixtures.Payload(payloadSize);
        string[] keys = [.. Enumerable.Range(0, 1000).Select(i => "key-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))];

        long before = Measure();
        using (var engine = new StreamEngine())
        {
            DataStream stream = engine.CreateStream("s", 4);
            for (int i = 0; i < records; i++)
            {
                stream.Append(keys[i % keys.Length], payload);
            }

            long after = Measure();
            double perRecord = (after - before) / (double)records;
            Console.WriteLine($"Retained memory, {records:N0} records of {payloadSize} B with {keyBytes}-byte keys:");
            Console.WriteLine($"  StreamCore          {perRecord,8:F1} B/record  = payload+key {payloadSize + keyBytes} + overhead {perRecord - payloadSize - keyBytes:F1}");
            GC.KeepAlive(stream);
        }

        before = Measure();
        var naive = new List<NaiveRecord>();
        for (int i = 0; i < records; i++)
        {
            naive.Add(new NaiveRecord(keys[i % keys.Length] + string.Empty, (byte[])payload.Clone(), "49646437577175378652512468275256581209501450792884764722", DateTime.UtcNow));
        }

        double naivePerRecord = (Measure() - before) / (double)records;
        Console.WriteLine($"  List<record> naive  {naivePerRecord,8:F1} B/record  = payload+key {payloadSize + keyBytes} + overhead {naivePerRecord - payloadSize - keyBytes:F1}");
        GC.KeepAlive(naive);
    }

    private static long Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
