using MiniportTimers.DdiGen;
using MiniportTimers.Engine;
using MiniportTimers.Native;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Native.Interop;
using MiniportTimers.Ndis;

namespace MiniportTimers.Tests.Native.Interop;

/// <summary>
/// Issue 21 §1: the bridge's mirrored places come from one manifest (native/ddi/ddis.json), and a table whose slots do not
/// line up with the shim's is refused by name at load time.
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed class DdiManifestTests : IDisposable
{
    private readonly VirtualTimerEngine _engine = new();

    public void Dispose() => _engine.Dispose();

    [Fact]
    public void TheGeneratedFiles_AreWhatTheManifestGenerates()
    {
        var root = DdiGenerator.FindRepositoryRoot(AppContext.BaseDirectory);
        foreach (var (path, content) in DdiGenerator.Generate(root))
        {
            var onDisk = File.ReadAllText(Path.Combine(root, path));
            Assert.True(onDisk == content, $"{path} is stale or edited by hand: run `dotnet run --project tools/DdiGen` (docs/native.md, \"Adding a DDI\")");
        }
    }

    [Fact]
    public void TheCSharpMirror_NamesTheManifestsSlotsInOrder_OneSlotPerRoutine()
    {
        var root = DdiGenerator.FindRepositoryRoot(AppContext.BaseDirectory);
        Assert.Equal(DdiGenerator.SlotNames(root), MptDdiTable.Names);
        Assert.Equal(MptDdiTable.Names.Length, MptDdiTable.Names.Distinct(StringComparer.Ordinal).Count());
        // No merged slots: each timer-setting routine has its own.
        Assert.Contains("NdisSetTimerObject", MptDdiTable.Names);
        Assert.Contains("NdisSetCoalescableTimerObject", MptDdiTable.Names);
        Assert.Contains("KeSetTimer", MptDdiTable.Names);
        Assert.Contains("KeSetTimerEx", MptDdiTable.Names);
        Assert.Contains("KeSetCoalescableTimer", MptDdiTable.Names);
        Assert.Contains("NdisMSetPeriodicTimer", MptDdiTable.Names);
        // Header (4 ULONGs and the names pointer) then one pointer per slot.
        Assert.Equal(16 + 8 + (8 * MptDdiTable.Slots), DdiTable.Size);
    }

    [NativeFact]
    public void TheShim_WasBuiltWithTheSameSlotNames()
    {
        var driver = Load();
        for (var i = 0; i < MptDdiTable.Slots; i++)
        {
            Assert.Equal(MptDdiTable.Names[i], driver.Shim.ExpectedSlotName(i));
        }

        Assert.Null(driver.Shim.ExpectedSlotName(MptDdiTable.Slots));
        Assert.Equal(MptDdiTable.CurrentVersion, driver.Shim.ExpectedVersion);
    }

    [NativeFact]
    public void ATableWithTwoSlotsSwapped_IsRefusedAtLoad_NamingTheSlot()
    {
        var driver = Load();
        var names = MptDdiTable.Names.ToArray();
        var a = Array.IndexOf(names, "NdisSetTimerObject");
        var b = Array.IndexOf(names, "NdisCancelTimerObject");
        (names[a], names[b]) = (names[b], names[a]);
        var swapped = DdiTable.Build(names, MptDdiTable.CurrentVersion);
        var error = Assert.Throws<NativeDriverException>(() => DdiTable.Attach(driver.Shim, driver.Path, swapped));
        Assert.Contains($"slot {Math.Min(a, b)}", error.Message, StringComparison.Ordinal);
        Assert.Contains("NdisSetTimerObject", error.Message, StringComparison.Ordinal);
        Assert.Contains("NdisCancelTimerObject", error.Message, StringComparison.Ordinal);
        Assert.Contains("docs/native.md", error.Message, StringComparison.Ordinal);

        // The refusal left the driver on the process's table: it still runs.
        var adapter = _host!.AddAdapter();
        _engine.AdvanceBy(1_500 * TimeUnits.NanosecondsPerMillisecond);
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("Heartbeat", StringComparison.Ordinal));
        adapter.Halt();
        Assert.Empty(_host.Diagnostics.BugChecks);
    }

    [NativeFact]
    public void ATableOfAnotherVersion_IsRefused()
    {
        var driver = Load();
        var other = DdiTable.Build(MptDdiTable.Names, MptDdiTable.CurrentVersion ^ 1);
        var error = Assert.Throws<NativeDriverException>(() => DdiTable.Attach(driver.Shim, driver.Path, other));
        Assert.Contains("another bridge", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheGenerator_RefusesAVariadicHostRoutine_AndAnUnknownType()
    {
        var root = Directory.CreateTempSubdirectory("ddigen").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "native", "ddi"));
            Directory.CreateDirectory(Path.Combine(root, "docs"));
            File.WriteAllText(Path.Combine(root, "docs", "native.md"), "<!-- ddi-table:begin (generated from native/ddi/ddis.json by tools/DdiGen: edit the manifest, not this table) -->\n<!-- ddi-table:end -->\n");
            void Write(string routine) => File.WriteAllText(Path.Combine(root, DdiGenerator.ManifestPath), $$"""{"types": {"ULONG": "uint", "VOID": "void"}, "routines": [{{routine}}]}""");

            Write("""{"stack": "Kernel", "side": "host", "class": "KernelExports", "prototype": "ULONG DbgPrint(PCSTR Format, ...)", "irql": "any"}""");
            Assert.Contains("variadic", Assert.Throws<ManifestException>(() => DdiGenerator.Generate(root)).Message, StringComparison.Ordinal);

            Write("""{"stack": "Kernel", "side": "host", "class": "KernelExports", "prototype": "VOID KeFoo(WIDGET Widget)", "irql": "any"}""");
            Assert.Contains("no C# type for 'WIDGET'", Assert.Throws<ManifestException>(() => DdiGenerator.Generate(root)).Message, StringComparison.Ordinal);

            Write("""{"stack": "Kernel", "side": "host", "class": "KernelExports", "prototype": "VOID KeFoo(PVOID Foo)", "irql": "any"}, {"stack": "Kernel", "side": "host", "class": "KernelExports", "prototype": "VOID KeFoo(PVOID Foo)", "irql": "any"}""");
            Assert.Contains("listed twice", Assert.Throws<ManifestException>(() => DdiGenerator.Generate(root)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private NdisHost? _host;

    private NativeNdisDriver Load()
    {
        _host = new NdisHost(_engine);
        var driver = NativeNdisDriver.Load(NativeBuild.Driver("ndis6_timers"), _host);
        Assert.Equal(0, driver.DriverEntryStatus);
        return driver;
    }
}
