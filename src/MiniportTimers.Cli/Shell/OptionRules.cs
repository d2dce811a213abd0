using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace MiniportTimers.Cli.Shell;

/// <summary>
/// Validators and parsers for the tool's options: each bad value is rejected before any work starts with one message
/// naming the option and the value (System.CommandLine reports them; <see cref="CliApp"/> prints them on stderr).
/// </summary>
internal static class OptionRules
{
    /// <summary>
    /// Parses a whole number the invariant way ("11000": no sign but '-', no thousands separator, no decimals) within
    /// [<paramref name="minimum"/>, <paramref name="maximum"/>]. A value that is not a whole number, or out of range, is
    /// one message naming the option and the value, reported by the parser itself: no validator ever reads a value that
    /// could not be parsed (reading one throws inside System.CommandLine).
    /// </summary>
    public static Option<T> WholeNumber<T>(this Option<T> option, T minimum, T maximum)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        option.CustomParser = result => result.Tokens.Count == 0
            ? option.DefaultValueFactory is { } factory ? factory(result) : default
            : ParseWhole(result, option.Name, minimum, maximum) ?? default;
        return option;
    }

    /// <summary>As <see cref="WholeNumber{T}(Option{T}, T, T)"/>, for an option that may be left out (null).</summary>
    public static Option<T?> WholeNumber<T>(this Option<T?> option, T minimum, T maximum)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        option.CustomParser = result => result.Tokens.Count == 0 ? null : ParseWhole(result, option.Name, minimum, maximum);
        return option;
    }

    /// <summary>Rejects a value below <paramref name="minimum"/> (any whole number above it is accepted).</summary>
    public static Option<T> AtLeast<T>(this Option<T> option, T minimum)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T> => option.WholeNumber(minimum, T.MaxValue);

    /// <summary>
    /// Accepts only <paramref name="values"/> (case-insensitively), with one message per unknown value naming the
    /// option and the values it takes (System.CommandLine's own check names neither the option nor the value's place).
    /// </summary>
    public static Option<string[]> OneOf(this Option<string[]> option, IReadOnlyList<string> values)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!values.Contains(token.Value, StringComparer.OrdinalIgnoreCase))
                {
                    result.AddError($"{option.Name}: '{token.Value}' is not one of {string.Join(", ", values)}.");
                }
            }
        });
        option.CompletionSources.Add([.. values]);
        return option;
    }

    /// <summary>
    /// A switch (<c>--virtual</c>): given alone it is true; <c>--virtual=false</c> and <c>--virtual=true</c> are read the
    /// invariant way; any other value is one message naming the option.
    /// </summary>
    public static Option<bool> Switch(this Option<bool> option)
    {
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return true;
            }

            var text = result.Tokens[0].Value;
            if (bool.TryParse(text, out var value))
            {
                return value;
            }

            result.AddError($"{option.Name}: '{text}' is not true or false (a switch: give it alone).");
            return false;
        };
        return option;
    }

    /// <summary>
    /// The value of <paramref name="option"/> for a command's own checks, or false when it was given but could not be
    /// parsed: its parser has reported that already, and checks that need the value are left out.
    /// </summary>
    public static bool TryGetValue<T>(this CommandResult result, Option<T> option, out T? value)
    {
        try
        {
            value = result.GetValue(option);
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }

    private static T? ParseWhole<T>(ArgumentResult result, string name, T minimum, T maximum)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var text = result.Tokens[0].Value;
        if (!T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            var digits = text.TrimStart('-');
            result.AddError(digits.Length > 0 && digits.All(char.IsAsciiDigit)
                ? $"{name}: {text} is out of range ({Range(minimum, maximum)})."
                : $"{name}: '{text}' is not a whole number.");
            return null;
        }

        if (value < minimum || value > maximum)
        {
            result.AddError(maximum == T.MaxValue
                ? $"{name}: {text} is too small (at least {minimum})."
                : $"{name}: {text} is out of range ({Range(minimum, maximum)}).");
            return null;
        }

        return value;
    }

    private static string Range<T>(T minimum, T maximum)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T> =>
        maximum == T.MaxValue ? $"at least {minimum}" : $"{minimum} to {maximum}";

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
