using System.CommandLine;
using System.CommandLine.Help;
using MiniportTimers.Cli.Shell;

namespace MiniportTimers.Tests.Cli.Shell;

/// <summary>
/// Issue 25: a typo in any option's value is exit code 2 with one message naming the option, never a crash. Before,
/// <c>run --duration-ms abc</c> (and --adapters, --ports, --dispatchers, --driver-adapters, --real-time-priority,
/// stress --threads, --gc-every-ms) died with "Unhandled exception" and a stack trace (exit 134): the range check read
/// the value before it was parsed; <c>run --sample nosuch</c> named no option.
/// </summary>
public class UnparsableValueTests
{
    private static readonly Lazy<string> ExistingFile = new(() =>
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("mpt-cli-").FullName, "a-file");
        File.WriteAllText(file, "x");
        return file;
    });

    /// <summary>An unparsable value for every option of every command (and the arguments a run needs to stay short).</summary>
    private static readonly Dictionary<(string Command, string Option), string[]> BadValues = new()
    {
        [("run", "--virtual")] = ["run", "--virtual", "abc"],
        [("run", "--sample")] = ["run", "--virtual", "--sample", "nosuch"],
        [("run", "--driver")] = ["run", "--virtual", "--driver", "/nonexistent-mpt/x.so"],
        [("run", "--driver-adapters")] = ["run", "--virtual", "--driver-adapters", "abc"],
        [("run", "--device")] = ["run", "--virtual", "--device", "ne2000"],
        [("run", "--driver-debug")] = ["run", "--virtual", "--driver-debug=abc"],
        [("run", "--adapters")] = ["run", "--virtual", "--adapters", "abc"],
        [("run", "--ports")] = ["run", "--virtual", "--ports", "1.5"],
        [("run", "--seed")] = ["run", "--virtual", "--seed", "abc"],
        [("run", "--duration-ms")] = ["run", "--virtual", "--duration-ms", "abc"],
        [("run", "--never-ready-port")] = ["run", "--virtual", "--never-ready-port", "abc"],
        [("run", "--nvme-ready-ms")] = ["run", "--virtual", "--nvme-ready-ms", "abc"],
        [("run", "--never-ready")] = ["run", "--virtual", "--never-ready=abc"],
        [("run", "--surprise-remove-ms")] = ["run", "--virtual", "--surprise-remove-ms", "abc"],
        [("run", "--json")] = ["run", "--virtual", "--json", "/nonexistent-folder-mpt/x.json"],
        [("run", "--trace")] = ["run", "--virtual", "--trace", "/nonexistent-folder-mpt/x.json"],
        [("run", "--trace-all-locks")] = ["run", "--virtual", "--trace-all-locks", "abc"],
        [("run", "--windows-tick")] = ["run", "--virtual", "--windows-tick", "abc"],
        [("run", "--dispatchers")] = ["run", "--virtual", "--dispatchers", "abc"],
        [("run", "--real-time-priority")] = ["run", "--virtual", "--real-time-priority", "abc"],
        [("bench", "--quick")] = ["bench", "--quick", "abc"],
        [("bench", "--output")] = ["bench", "--quick", "--output", ExistingFile.Value],
        [("bench", "--only")] = ["bench", "--quick", "--only", "nosuch"],
        [("stress", "--threads")] = ["stress", "--threads", "abc"],
        [("stress", "--operations")] = ["stress", "--operations", "1e6"],
        [("stress", "--gc-every-ms")] = ["stress", "--gc-every-ms", "abc"],
        [("stress", "--lazy-churn")] = ["stress", "--lazy-churn", "lots"],
        [("stress", "--churn-ms")] = ["stress", "--churn-ms", "1.5"],
        [("first-expiries", "--cold")] = ["first-expiries", "--cold", "abc"],
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (command, option) in BadValues.Keys)
        {
            data.Add(command, option);
        }

        return data;
    }

    [Fact]
    public void EveryOptionOfEveryCommand_HasAnUnparsableValueCase()
    {
        var options = CliApp.CreateRoot().Subcommands
            .SelectMany(c => c.Options.Where(o => o is not HelpOption and not VersionOption).Select(o => (c.Name, o.Name)))
            .ToList();
        Assert.NotEmpty(options);
        Assert.All(options, o => Assert.True(BadValues.ContainsKey(o), $"{o.Item1} {o.Item2} has no unparsable-value case here"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AnUnparsableValue_IsExit2_WithOneMessageNamingTheOption_AndNoStackTrace(string command, string option)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(BadValues[(command, option)], stdout, stderr);
        var messages = stderr.ToString().Split('\n').Where(l => l.StartsWith("miniport-timers: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(stdout.ToString()); // nothing ran
        var message = Assert.Single(messages);
        Assert.StartsWith($"miniport-timers: {option}", message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--duration-ms", "99999999999999999999", "out of range")]
    [InlineData("--adapters", "65", "65 is out of range (1 to 64)")]
    [InlineData("--dispatchers", "1,000", "'1,000' is not a whole number")]
    public void ANumberOutOfItsType_OrWrittenAnotherWay_IsAMessageToo(string option, string value, string detail)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Usage, CliApp.Run(["run", "--virtual", option, value], stdout, stderr));
        Assert.Contains($"{option}: ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains(detail, stderr.ToString(), StringComparison.Ordinal);
    }
}
