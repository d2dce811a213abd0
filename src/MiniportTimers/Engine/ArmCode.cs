namespace MiniportTimers.Engine;

/// <summary>
/// The 16-bit summary of an arming that the timer itself carries (<see cref="EngineTimer.ArmCode"/>): its tolerance,
/// rounded down to a decimal float, and whether it is periodic. With it the dispatcher files a tolerant one-shot into
/// the near set reading the timer alone, not a second cold object (issue 27, session eighteen).
/// </summary>
/// <remarks>
/// <para>Layout: bit 15 = periodic; bits 11-14 = decimal exponent e (0-15); bits 0-10 = mantissa m (0-2,047). The
/// tolerance is m × 10^e ns, the largest such value not above the one asked for, so a deadline is never later than
/// asked and firing within it keeps every promise of the tolerance (a timer may always fire earlier within its window).
/// Decimal, not binary, so that the tolerances drivers ask for, whole µs, ms, 100 ns units and seconds, are kept
/// exactly (1 ms = 1,000 × 10^3; Storport's µs and NDIS's ms and 100 ns units are round decimals).</para>
/// <para>Granularity: a tolerance in a row's range is rounded down to a
/// multiple of the row's step, so it loses less than 0.5 % (the mantissa is at least 204 from row 1 on).</para>
/// <code>
///   e   tolerances, ns                       step
///   0   0 – 2,047                            1 ns (exact)
///   1   2,048 – 20,479                       10 ns
///   2   20,480 – 204,799 (204.8 µs)          100 ns
///   3   204.8 µs – 2.048 ms                  1 µs
///   4   2.048 – 20.48 ms                     10 µs
///   5   20.48 – 204.8 ms                     100 µs
///   6   204.8 ms – 2.048 s                   1 ms
///   7   2.048 – 20.48 s                      10 ms
///   8   20.48 – 204.8 s                      100 ms
///   9   204.8 s – 34.1 min                   1 s
///  ...
///  15   up to 2,047 × 10^15 (65 years)       10^15 ns; a larger tolerance is that one (MaxTimeNanoseconds is 2.3 × 10^18)
/// </code>
/// <para>Written by Arm under the timer's writer bit with the due time, read by the dispatcher in the same
/// sequence-checked snapshot (see "The parameter block" in DispatchQueue). Thread safety: pure functions.</para>
/// </remarks>
internal static class ArmCode
{
    /// <summary>The periodic bit: the arming has a period (read from the timer's <see cref="ArmParameters"/>).</summary>
    public const ushort PeriodicBit = 0x8000;

    /// <summary>The largest mantissa.</summary>
    public const int MaxMantissa = (1 << MantissaBits) - 1;

    /// <summary>The largest exponent.</summary>
    public const int MaxExponent = 15;

    /// <summary>The largest tolerance a code holds, ns: 2,047 × 10^15.</summary>
    public const long MaxToleranceNanoseconds = MaxMantissa * 1_000_000_000_000_000L;

    private const int MantissaBits = 11;

    /// <summary>The code of an arming with <paramref name="toleranceNanoseconds"/> (0 or more; rounded down) and, if <paramref name="periodic"/>, a period.</summary>
    public static ushort Encode(long toleranceNanoseconds, bool periodic)
    {
        System.Diagnostics.Debug.Assert(toleranceNanoseconds >= 0, "a tolerance is not negative");
        var mantissa = Math.Min(toleranceNanoseconds, MaxToleranceNanoseconds);
        var exponent = 0;
        while (mantissa > MaxMantissa)
        {
            mantissa /= 10; // floor(floor(x / 10^k) / 10) = floor(x / 10^(k+1))
            exponent++;
        }

        System.Diagnostics.Debug.Assert(exponent <= MaxExponent, "2,047 × 10^15 needs no exponent above 15");
        return (ushort)((periodic ? PeriodicBit : 0) | (exponent << MantissaBits) | (int)mantissa);
    }

    /// <summary>The tolerance <paramref name="code"/> holds, ns: at most the one it was encoded from.</summary>
    public static long ToleranceNanoseconds(ushort code) =>
        (code & MaxMantissa) * PowersOfTen[(code >> MantissaBits) & MaxExponent];

    /// <summary>True if <paramref name="code"/> is that of a periodic arming.</summary>
    public static bool IsPeriodic(ushort code) => (code & PeriodicBit) != 0;

    /// <summary>The tolerance an Arm of <paramref name="toleranceNanoseconds"/> keeps, ns (what its deadline is made of).</summary>
    public static long Round(long toleranceNanoseconds) => ToleranceNanoseconds(Encode(toleranceNanoseconds, periodic: false));

    /// <summary>10^0 to 10^15 (an array made once: a span over constant data cost an allocation per read in Debug builds).</summary>
    private static readonly long[] PowersOfTen =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
    ];
}
