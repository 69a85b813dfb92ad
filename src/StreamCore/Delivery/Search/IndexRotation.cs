using System.Globalization;

namespace StreamCore.Delivery.Search;

/// <summary>
/// Firehose's IndexRotationPeriod: the index name with a part of the record's UTC arrival time appended. For
/// <c>myindex</c> at 2016-02-25T13:00Z: NoRotation <c>myindex</c>, OneHour <c>myindex-2016-02-25-13</c>, OneDay
/// <c>myindex-2016-02-25</c>, OneWeek <c>myindex-2016-w08</c>, OneMonth <c>myindex-2016-02</c>.
/// </summary>
/// <remarks>
/// OneWeek uses ISO 8601 weeks (Monday first, week 1 holds the year's first Thursday) with the ISO week-based year,
/// because that is what makes AWS's documented example hold: 2016-02-25 is in ISO week 8, while the "US convention" the
/// same page describes (Sunday first, week 1 holds January 1st) would give w09. So 2016-01-01 (a Friday) belongs to
/// 2015-w53 and 2019-12-30 (a Monday) to 2020-w01.
/// </remarks>
internal static class IndexRotation
{
    public static string IndexName(string indexName, string period, long arrivalMs)
    {
        DateTime t = DateTimeOffset.FromUnixTimeMilliseconds(arrivalMs).UtcDateTime;
        return period switch
        {
            "NoRotation" => indexName,
            "OneHour" => string.Create(CultureInfo.InvariantCulture, $"{indexName}-{t:yyyy-MM-dd-HH}"),
            "OneWeek" => string.Create(CultureInfo.InvariantCulture, $"{indexName}-{ISOWeek.GetYear(t):D4}-w{ISOWeek.GetWeekOfYear(t):D2}"),
            "OneMonth" => string.Create(CultureInfo.InvariantCulture, $"{indexName}-{t:yyyy-MM}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{indexName}-{t:yyyy-MM-dd}"),
        };
    }
}
