using System.Diagnostics;
using System.IO.Compression;

namespace MiniportTimers.Tests.Package;

/// <summary>
/// `dotnet pack` produces the library package, and a tiny console app that references it through a local folder (and
/// the packages this repository's restore already holds, for its dependencies; no network source) builds and runs: an engine timer fires and a Storport request returns SUCCESS.
/// </summary>
public class PackageTests
{
    private const string Consumer = """
        using MiniportTimers.Engine;
        using MiniportTimers.Storport;
        using static MiniportTimers.Storport.StorPort;

        var engine = new VirtualTimerEngine();
        var fired = false;
        engine.ArmAfter(engine.CreateTimer((_, in _) => fired = true), 200_000);
        engine.AdvanceBy(200_000);
        Console.WriteLine(fired ? "engine timer fired" : "engine timer did not fire");

        var host = new StorportHost(engine);
        host.StorPortInitialize(new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = () => new object(),
            HwFindAdapter = (object e, object? c, object? b, string? a, PORT_CONFIGURATION_INFORMATION cfg, out bool r) => { r = false; return SP_RETURN_FOUND; },
            HwInitialize = _ => true,
            HwStartIo = (_, _) => true,
            HwInterrupt = _ => true,
            HwAdapterControl = (_, _, _) => 0,
        });
        var adapter = host.AddAdapter();
        StorPortInitializeTimer(adapter.DeviceExtension, out var timer);
        var status = StorPortRequestTimer(adapter.DeviceExtension, timer, (_, _) => Console.WriteLine("miniport timer fired"), null, 1_000, 0);
        Console.WriteLine(StorStatusName(status));
        engine.AdvanceBy(1_000_000);
        """;

    [Fact]
    public void Pack_ThenAConsoleAppThroughAPackageReference_BuildsAndRuns()
    {
        var root = RepositoryRoot();
        var configuration = Configuration();
        var work = Directory.CreateTempSubdirectory("mt-package-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            Run(root, "dotnet", "pack", Path.Combine(root, "src", "MiniportTimers", "MiniportTimers.csproj"), "-c", configuration, "--no-build", "-o", feed);
            var nupkg = Assert.Single(Directory.GetFiles(feed, "MiniportTimers.*.nupkg"), f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
            Assert.Single(Directory.GetFiles(feed, "MiniportTimers.*.snupkg")); // symbols beside it
            using (var zip = ZipFile.OpenRead(nupkg))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
                Assert.Contains("lib/net10.0/MiniportTimers.dll", entries);
                Assert.Contains("lib/net10.0/MiniportTimers.xml", entries);
                Assert.Contains("README.md", entries);
                using var nuspec = new StreamReader(zip.GetEntry("MiniportTimers.nuspec")!.Open());
                var text = nuspec.ReadToEnd();
                Assert.Contains("<license type=\"expression\">MIT</license>", text, StringComparison.Ordinal);
                Assert.Contains("<readme>README.md</readme>", text, StringComparison.Ordinal);
                using var readme = new StreamReader(zip.GetEntry("README.md")!.Open());
                Assert.DoesNotContain("../", readme.ReadToEnd(), StringComparison.Ordinal); // written for NuGet: no relative links
            }

            var app = Path.Combine(work.FullName, "app");
            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "app.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <RestorePackagesPath>$(MSBuildThisFileDirectory)packages</RestorePackagesPath>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="MiniportTimers" Version="0.1.0" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                    <add key="restored" value="{RestoredPackagesFolder()}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), Consumer);
            var output = Run(app, "dotnet", "run");
            Assert.Contains("engine timer fired", output);
            Assert.Contains("STOR_STATUS_SUCCESS", output);
            Assert.Contains("miniport timer fired", output);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void PackTheCli_ThenDotnetToolInstallFromTheFolder_GivesAWorkingMiniportTimersCommand()
    {
        var root = RepositoryRoot();
        var configuration = Configuration();
        var work = Directory.CreateTempSubdirectory("mt-tool-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            Run(root, "dotnet", "pack", Path.Combine(root, "src", "MiniportTimers.Cli", "MiniportTimers.Cli.csproj"), "-c", configuration, "--no-build", "-o", feed);
            Assert.Single(Directory.GetFiles(feed, "MiniportTimers.Cli.*.nupkg"), f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
            var config = Path.Combine(work.FullName, "nuget.config");
            File.WriteAllText(config, $"""
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            var tools = Path.Combine(work.FullName, "tools");
            Run(work.FullName, "dotnet", "tool", "install", "MiniportTimers.Cli", "--tool-path", tools, "--configfile", config, "--version", "0.1.0");
            var command = Path.Combine(tools, OperatingSystem.IsWindows() ? "miniport-timers.exe" : "miniport-timers");
            Assert.Equal("0.1.0", Run(work.FullName, command, "--version").Trim());
            Assert.Contains("== pcnet ==", Run(work.FullName, command, "run", "--virtual", "--sample", "pcnet", "--duration-ms", "11000"), StringComparison.Ordinal);

            // Issue 25: bench --only first starts the tool again as a child; from the installed tool's shim too (Run
            // asserts exit code 0: a failed part exits 1).
            var bench = Path.Combine(work.FullName, "bench");
            Run(work.FullName, command, "bench", "--quick", "--only", "first", "--output", bench);
            Assert.Equal(20, File.ReadAllLines(Path.Combine(bench, "bench.csv")).Count(l => l.StartsWith("first,", StringComparison.Ordinal)));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The NuGet global packages folder, where this repository's restore put the library's dependencies
    /// (HdrHistogram): a folder feed, so the consumer restores with no network.</summary>
    private static string RestoredPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>The configuration this test assembly was built in: the projects to pack were built in it too (--no-build).</summary>
    private static string Configuration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static string RepositoryRoot() => Support.Repository.Root();

    private static string Run(string workingDirectory, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{file} {string.Join(' ', args)} did not finish");
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        return stdout;
    }
}
