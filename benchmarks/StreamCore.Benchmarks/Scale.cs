namespace StreamCore.Benchmarks;

/// <summary>Workload sizes; the smoke run shrinks them so every benchmark runs once in seconds.</summary>
public static class Scale
{
    public static bool Smoke { get; set; }

    public static int Records(int full) => Smoke ? Math.Min(full, 2_000) : full;
}
