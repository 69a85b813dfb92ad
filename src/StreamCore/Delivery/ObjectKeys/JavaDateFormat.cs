using System.Globalization;
using System.Text;

namespace StreamCore.Delivery.ObjectKeys;

/// <summary>
/// The subset of Java's <c>DateTimeFormatter</c> patterns that Firehose's <c>!{timestamp:...}</c> takes, compiled once:
/// letters are fields (<c>y u M d D H h k m s S E a</c>), runs of a letter set the width, text in single quotes is
/// literal (<c>''</c> is a quote), and every other character is literal. An unknown letter is refused at creation.
/// </summary>
internal sealed class JavaDateFormat
{
    private readonly Part[] _parts;

    private JavaDateFormat(Part[] parts) => _parts = parts;

    public static bool TryParse(string pattern, out JavaDateFormat? format, out string? error)
    {
        var parts = new List<Part>();
        var literal = new StringBuilder();
        format = null;
        error = null;
        for (int i = 0; i < pattern.Length;)
        {
            char c = pattern[i];
            if (c == '\'')
            {
                int end = i + 1;
                if (end < pattern.Length && pattern[end] == '\'')
                {
                    literal.Append('\'');
                    i += 2;
                    continue;
                }

                var quoted = new StringBuilder();
                while (true)
                {
                    if (end >= pattern.Length)
                    {
                        error = $"the timestamp pattern '{pattern}' has an unterminated quote";
                        return false;
                    }

                    if (pattern[end] == '\'')
                    {
                        if (end + 1 < pattern.Length && pattern[end + 1] == '\'')
                        {
                            quoted.Append('\'');
                            end += 2;
                            continue;
                        }

                        break;
                    }

                    quoted.Append(pattern[end++]);
                }

                literal.Append(quoted);
                i = end + 1;
                continue;
            }

            if (!char.IsAsciiLetter(c))
            {
                literal.Append(c);
                i++;
                continue;
            }

            int run = 1;
            while (i + run < pattern.Length && pattern[i + run] == c)
            {
                run++;
            }

            if (!IsSupported(c, run))
            {
                error = $"the timestamp pattern '{pattern}' uses '{new string(c, run)}', which is not a supported DateTimeFormatter field (supported: y, u, M, d, D, H, h, k, m, s, S, E, a)";
                return false;
            }

            if (literal.Length > 0)
            {
                parts.Add(new Part('\0', 0, literal.ToString()));
                literal.Clear();
            }

            parts.Add(new Part(c, run, null));
            i += run;
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part('\0', 0, literal.ToString()));
        }

        format = new JavaDateFormat([.. parts]);
        return true;
    }

    private static bool IsSupported(char c, int run) => c switch
    {
        'y' or 'u' => run <= 4,
        'M' => run <= 4,
        'd' or 'H' or 'h' or 'k' or 'm' or 's' => run <= 2,
        'D' => run <= 3,
        'S' => run <= 9,
        'E' => run <= 4,
        'a' => run == 1,
        _ => false,
    };

    public void AppendTo(StringBuilder text, DateTime t)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        foreach (Part p in _parts)
        {
            if (p.Literal is { } literal)
            {
                text.Append(literal);
                continue;
            }

            switch (p.Field)
            {
                case 'y' or 'u':
                    text.Append(p.Width == 2 ? (t.Year % 100).ToString("D2", inv) : t.Year.ToString("D" + p.Width.ToString(inv), inv));
                    break;
                case 'M':
                    text.Append(p.Width switch
                    {
                        1 => t.Month.ToString(inv),
                        2 => t.Month.ToString("D2", inv),
                        3 => inv.DateTimeFormat.GetAbbreviatedMonthName(t.Month),
                        _ => inv.DateTimeFormat.GetMonthName(t.Month),
                    });
                    break;
                case 'd':
                    Number(text, t.Day, p.Width);
                    break;
                case 'D':
                    Number(text, t.DayOfYear, p.Width);
                    break;
                case 'H':
                    Number(text, t.Hour, p.Width);
                    break;
                case 'k':
                    Number(text, t.Hour == 0 ? 24 : t.Hour, p.Width);
                    break;
                case 'h':
                    Number(text, t.Hour % 12 == 0 ? 12 : t.Hour % 12, p.Width);
                    break;
                case 'm':
                    Number(text, t.Minute, p.Width);
                    break;
                case 's':
                    Number(text, t.Second, p.Width);
                    break;
                case 'S':
                    text.Append((t.Ticks % TimeSpan.TicksPerSecond).ToString("D7", inv).PadRight(9, '0')[..p.Width]);
                    break;
                case 'E':
                    text.Append(p.Width == 4 ? inv.DateTimeFormat.GetDayName(t.DayOfWeek) : inv.DateTimeFormat.GetAbbreviatedDayName(t.DayOfWeek));
                    break;
                case 'a':
                    text.Append(t.Hour < 12 ? "AM" : "PM");
                    break;
            }
        }
    }

    private static void Number(StringBuilder text, int value, int width) =>
        text.Append(value.ToString("D" + width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));

    private readonly record struct Part(char Field, int Width, string? Literal);
}
