using Microsoft.Extensions.Time.Testing;
using StreamCore.Analytics;
using StreamCore.Samples.Analytics;

namespace StreamCore.Tests.Samples;

/// <summary>The analytics sample's scenario on a fake clock: per-page counts for the minute once the clock moves, the late click in the side output.</summary>
public class AnalyticsSampleTests
{
    [Fact]
    public async Task The_sample_counts_clicks_per_page_and_minute_and_sends_the_late_click_to_the_side_output()
    {
        var start = new DateTimeOffset(2026, 3, 1, 11, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        using var output = new StringWriter();

        ClickCountsOutcome outcome = await ClickCounts.RunAsync(clock, output, TimeSpan.FromSeconds(20));

        var minute = new TimeWindow(start.ToUnixTimeMilliseconds(), start.AddMinutes(1).ToUnixTimeMilliseconds());
        Assert.Equal(
            [new("/cart", minute, 1, WindowFiring.OnTime), new("/home", minute, 3, WindowFiring.OnTime)],
            outcome.Counts.OrderBy(c => c.Key, StringComparer.Ordinal));
        LateEvent<Click> late = Assert.Single(outcome.Late);
        Assert.Equal(new Click("/home", start.AddSeconds(40)), late.Event);
        Assert.Equal(minute.MaxTimestamp, late.Watermark);
        Assert.Contains("11:00-11:01 /home  3 clicks (OnTime)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("late: /home at 11:00:40", output.ToString(), StringComparison.Ordinal);
    }
}
