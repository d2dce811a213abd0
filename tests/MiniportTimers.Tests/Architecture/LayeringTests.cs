using System.Reflection;
using MiniportTimers.Engine;
using NetArchTest.Rules;

namespace MiniportTimers.Tests.Architecture;

/// <summary>
/// Issue 10: the layers as a test, not a hope. Every arrow points down:
/// <code>
///   Storport   Ndis      TimeProviders
///      |  \     / |            |
///      |  Devices |            |
///       \    |   /             |
///        Hosting              |
///           |                 |
///      Diagnostics            |
///           |                 |
///        Kernel               |
///           |                 |
///        Engine  &lt;-----------+
/// </code>
/// Storport and NDIS never use each other; the library never uses the samples or the CLI. Devices (hardware models:
/// the AHCI HBA and its SATA disks) sit under the hosts that will wire them to a driver's I/O path, and use only the
/// layers below them (today the engine alone: their delays are engine timers).
/// </summary>
public class LayeringTests
{
    private const string Root = "MiniportTimers";
    private static readonly Assembly Library = typeof(TimerEngine).Assembly;

    public static TheoryData<string, string[]> Rules => new()
    {
        { "Engine", ["Kernel", "Diagnostics", "Hosting", "Devices", "Storport", "Ndis", "TimeProviders"] },
        { "Kernel", ["Diagnostics", "Hosting", "Devices", "Storport", "Ndis", "TimeProviders"] },
        { "Diagnostics", ["Hosting", "Devices", "Storport", "Ndis", "TimeProviders"] },
        { "Hosting", ["Devices", "Storport", "Ndis", "TimeProviders"] },
        { "Devices", ["Storport", "Ndis", "TimeProviders"] },
        { "Storport", ["Ndis", "TimeProviders"] },
        { "Ndis", ["Storport", "TimeProviders"] },
        { "TimeProviders", ["Kernel", "Diagnostics", "Hosting", "Devices", "Storport", "Ndis"] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void NoArrowPointsUp(string layer, string[] forbidden)
    {
        var result = Types.InAssembly(Library)
            .That().ResideInNamespace($"{Root}.{layer}")
            .ShouldNot().HaveDependencyOnAny([.. forbidden.Select(f => $"{Root}.{f}")])
            .GetResult();
        Assert.True(result.IsSuccessful, $"{layer} uses a layer above it or beside it: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void EveryTypeOfTheLibraryLivesInALayer()
    {
        var layers = Rules.Select(r => $"{Root}.{r[0]}").ToArray();
        var outside = Library.GetTypes()
            .Where(t => t.Namespace is { } ns && ns.StartsWith(Root, StringComparison.Ordinal) && !layers.Any(l => ns == l || ns.StartsWith(l + ".", StringComparison.Ordinal)))
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(outside); // a new folder gets a rule above before it gets code
    }

    [Fact]
    public void TheLibraryNeverUsesTheSamplesOrTheCli()
    {
        var references = Library.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("MiniportTimers.Samples", references);
        Assert.DoesNotContain("MiniportTimers.Cli", references);
        var result = Types.InAssembly(Library).ShouldNot().HaveDependencyOnAny("MiniportTimers.Samples", "MiniportTimers.Cli").GetResult();
        Assert.True(result.IsSuccessful);
    }
}
