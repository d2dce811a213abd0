using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Native.Storport;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Native.Storport;

/// <summary>
/// Issue 26 §3: the rows of the misuse table (<see cref="Misuses"/>) only a C driver reaches, walked with the verifier on
/// and off as <c>Verifier/MisuseTableTests</c> walks the others: a Ke object in a C miniport's device extension still
/// queued when its adapter is removed (native/miniports/storport_timers.c). The other adapter's timer keeps firing.
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed class NativeMisuseTests : IDisposable
{
    /// <summary>The rows walked here, not in <c>MisuseTableTests</c>.</summary>
    public static readonly string[] Names = [Misuses.DpcQueuedAtRemoval.Name];

    private const byte CmdArm = 0x01;
    private const byte CmdKeTimer = 0x09;
    private const byte CmdKeDpcQueued = 0x0E;
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private readonly List<IDisposable> _disposables = [];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    public static TheoryData<string, bool> Rows() => new()
    {
        { Misuses.DpcQueuedAtRemoval.Name, true },
        { Misuses.DpcQueuedAtRemoval.Name, false },
        { Misuses.TimerQueuedAtRemoval.Name, true }, // also walked in C#; here a KTIMER in the C extension
        { Misuses.TimerQueuedAtRemoval.Name, false },
    };

    [NativeTheory]
    [MemberData(nameof(Rows))]
    public void AKeObjectInTheExtension_QueuedAtRemoval_BugChecksWithTheVerifier_AndIsAFindingWithout(string name, bool verifier)
    {
        var misuse = Misuses.All.Single(m => m.Name == name);
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new StorportHost(engine, new StorportHostOptions { Verifier = verifier });
        var driver = NativeStorportDriver.Load(NativeBuild.Driver("storport_timers"), host);
        _disposables.Add(driver);
        var victim = host.AddAdapter();
        var bystander = host.AddAdapter();
        Submit(bystander, CmdArm); // its timer: due at 10 ms
        Submit(victim, misuse == Misuses.DpcQueuedAtRemoval ? CmdKeDpcQueued : CmdKeTimer);
        Assert.Single(driver.DebugOutput, l => l.StartsWith(misuse == Misuses.DpcQueuedAtRemoval ? "ke dpc queued 1" : "ke set queued 0", StringComparison.Ordinal));

        victim.Remove();
        engine.AdvanceBy(50 * Ms);

        Assert.DoesNotContain(driver.DebugOutput, l => l.StartsWith("MptKeDpc", StringComparison.Ordinal)); // removed with its adapter either way
        var raised = host.BugChecks.Where(r => r.BugCheck.Code == misuse.Code && r.BugCheck.Parameter1 == misuse.Parameter1).ToList();
        if (verifier)
        {
            Assert.Equal((victim.Name, "Removal"), (Assert.Single(raised).Adapter, raised[0].Routine));
            Assert.DoesNotContain(host.Findings, f => f.Rule == misuse.Name);
        }
        else
        {
            Assert.Empty(raised);
            Assert.Equal(victim.Name, Assert.Single(host.Findings, f => f.Rule == misuse.Name).Adapter);
        }

        Assert.Contains(driver.DebugOutput, l => l.StartsWith("MptTimerCallback fire 1", StringComparison.Ordinal)); // the other adapter's timer
        Assert.Equal(AdapterState.Started, bystander.State);
    }

    private static void Submit(StorportAdapter adapter, byte command) =>
        Assert.True(adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, CdbOperationCode = command }));
}
