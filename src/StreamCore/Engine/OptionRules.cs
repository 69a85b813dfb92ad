using System.Globalization;

namespace StreamCore.Engine;

/// <summary>
/// The shapes of an option rule's failure: an exception naming the option (<c>StreamEngineOptions.X</c>), the value
/// given and the rule, returned rather than thrown so the engine throws it and the DI validator reports its message.
/// </summary>
internal static class OptionRules
{
    public static ArgumentException? AtLeast<T>(string option, T value, T min)
        where T : IComparable<T> =>
        value.CompareTo(min) >= 0 ? null : OutOfRange(option, value, $"must be at least {Format(min)}");

    public static ArgumentException? Positive(string option, TimeSpan value) =>
        value > TimeSpan.Zero ? null : OutOfRange(option, value, "must be greater than 00:00:00");

    public static ArgumentException? Between(string option, int value, int min, int max) =>
        value >= min && value <= max ? null : OutOfRange(option, value, $"must be from {Format(min)} to {Format(max)}");

    public static ArgumentException? PowerOfTwo(string option, int value, int min, int max) =>
        value >= min && value <= max && int.IsPow2(value)
            ? null
            : OutOfRange(option, value, $"must be a power of two from {Format(min)} to {Format(max)}");

    public static ArgumentException? NotBlank(string option, string? value) =>
        string.IsNullOrWhiteSpace(value) ? Invalid(option, value, "must not be null, empty or white space") : null;

    public static ArgumentException? NotNull(string option, object? value) =>
        value is null ? new ArgumentNullException(option, $"{option} must not be null.") : null;

    public static ArgumentOutOfRangeException OutOfRange(string option, object? value, string rule) =>
        new(option, $"{option} {rule}; got {Format(value)}.");

    public static ArgumentException Invalid(string option, object? value, string rule) =>
        new($"{option} {rule}; got {Format(value)}.", option);

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
