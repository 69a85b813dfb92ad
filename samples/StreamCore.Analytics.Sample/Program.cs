using Microsoft.Extensions.Time.Testing;
using StreamCore.Samples.Analytics;

// Per-page click counts in one-minute tumbling windows over the clickstream, driven by a fake clock.
var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 11, 0, 0, TimeSpan.Zero));
ClickCountsOutcome outcome = await ClickCounts.RunAsync(clock, Console.Out, TimeSpan.FromSeconds(30));
Console.WriteLine($"{outcome.Counts.Count} results, {outcome.Late.Count} late click");
