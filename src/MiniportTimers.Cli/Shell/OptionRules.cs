using System.CommandLine;
using System.Globalization;

namespace MiniportTimers.Cli.Shell;

/// <summary>
/// Validators and parsers for the tool's options: each bad value is rejected before any work starts with one message
/// naming the option and the value (System.CommandLine reports them; <see cref="CliApp"/> prints them on stderr).
/// </summary>
internal static class OptionRules
{
    /// <summary>Rejects a value outside [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public static Option<T> Between<T>(this Option<T> option, T minimum, T maximum)
        where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<T>();
            if (value.CompareTo(minimum) < 0 || value.CompareTo(maximum) > 0)
            {
                result.AddError($"{option.Name}: {value} is out of range ({minimum} to {maximum}).");
            }
        });
        return option;
    }

    /// <summary>Rejects a value below <paramref name="minimum"/>.</summary>
    public static Option<T> AtLeast<T>(this Option<T> option, T minimum)
        where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<T>();
            if (value.CompareTo(minimum) < 0)
            {
                result.AddError($"{option.Name}: {value} is too small (at least {minimum}).");
            }
        });
        return option;
    }

    /// <summary>
    /// Parses a number of milliseconds the invariant way ("15.625"): no thousands separator, no comma decimal, finite,
    /// within [<paramref name="minimum"/>, <paramref name="maximum"/>]; returns whole microseconds. An empty value (the
    /// option given without one) is <paramref name="whenEmptyMicroseconds"/>.
    /// </summary>
    public static Option<long?> MillisecondsAsMicroseconds(this Option<long?> option, double minimum, double maximum, long whenEmptyMicroseconds)
    {
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return whenEmptyMicroseconds;
            }

            var text = result.Tokens[0].Value;
            if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ms) || !double.IsFinite(ms))
            {
                result.AddError($"{option.Name}: '{text}' is not a number of milliseconds (write it like 15.625).");
                return null;
            }

            if (ms < minimum || ms > maximum)
            {
                result.AddError($"{option.Name}: {text} ms is out of range ({minimum} to {maximum} ms).");
                return null;
            }

            return (long)Math.Round(ms * 1000);
        };
        return option;
    }

    /// <summary>Parses "adapter:port" (two whole numbers, 0-based).</summary>
    public static bool TryParseAdapterPort(string text, out int adapter, out int port)
    {
        (adapter, port) = (-1, -1);
        var parts = text.Split(':');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out adapter)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out port);
    }

    /// <summary>Rejects an output path that cannot be written (see <see cref="OutputPath.Check"/>), before any work starts.</summary>
    public static Option<string?> WritableOutput(this Option<string?> option, bool isFolder = false)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } path && OutputPath.Check(path, isFolder) is { } problem)
            {
                result.AddError($"{option.Name}: {problem}");
            }
        });
        return option;
    }
}
