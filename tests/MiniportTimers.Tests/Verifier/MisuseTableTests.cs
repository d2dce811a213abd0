using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Pcnet;
using MiniportTimers.Diagnostics;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Ndis;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Ndis;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Kernel.Ex;
using static MiniportTimers.Kernel.Ke;
using static MiniportTimers.Ndis.NdisApi;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Verifier;

/// <summary>
/// Issue 26 §3: every misuse of the table (<see cref="Misuses"/>) walked with the verifier on and off, through the one
/// decision (<see cref="VerifierDecision"/>). On: the row's bug check, its code and P1 from the row and P2 as the row
/// says. Off: the row's answer (a finding under the row's name and what the call then does; or, for a row Windows checks
/// itself, the same bug check). Either way another adapter's timer of each stack fires on time and its adapter lives.
/// </summary>
public class MisuseTableTests
{
    private const long Ms = 1_000_000;
    private const uint OID_GEN_VENDOR_ID = 0x0001010C;

    /// <summary>Each row of the table, with the verifier on and off.</summary>
    public static TheoryData<string, bool> Rows()
    {
        var rows = new TheoryData<string, bool>();
        foreach (var misuse in Misuses.All)
        {
            rows.Add(misuse.Name, true);
            rows.Add(misuse.Name, false);
        }

        return rows;
    }

    [Fact]
    public void EveryRowOfTheTable_HasAScenario_AndOnlyThose()
    {
        Assert.Equal(Misuses.All.Length, Misuses.All.Select(m => m.Name).Distinct().Count());
        Assert.Equal(Misuses.All.Select(m => m.Name).Order(), Scenarios.Keys.Concat(Native.Storport.NativeMisuseTests.Names).Order());
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void EveryMisuse_BugChecksWithTheVerifier_AndGivesTheTablesAnswerWithout(string name, bool verifier)
    {
        if (!Scenarios.TryGetValue(name, out var scenario))
        {
            Assert.Contains(name, Native.Storport.NativeMisuseTests.Names); // walked by Native/NativeMisuseTests (C drivers only)
            return;
        }

        var misuse = Misuses.All.Single(m => m.Name == name);
        var world = new World(verifier);
        var thrown = default(BugCheckException);
        var expected = scenario(world, bc => thrown = bc);

        var raised = world.BugChecks.Select(r => r.BugCheck).Append(thrown).OfType<BugCheckException>()
            .Where(b => b.Code == misuse.Code && b.Parameter1 == misuse.Parameter1).ToList();
        if (verifier || misuse.Off == VerifierOffAnswer.SameBugCheck)
        {
            var bugCheck = Assert.Single(raised);
            Assert.Equal(expected.Parameter2, bugCheck.Parameter2);
            Assert.DoesNotContain(world.Findings, f => f.Rule == misuse.Name);
        }
        else
        {
            Assert.Empty(raised);
            Assert.Contains(world.Findings, f => f.Rule == misuse.Name);
            expected.VerifierOff?.Invoke();
        }

        world.AssertBystandersUntouched();
    }

    /// <summary>What a scenario expects: P2 of the bug check (verifier on), and the rest of the verifier-off answer.</summary>
    private sealed record Expected(ulong Parameter2 = 0, Action? VerifierOff = null);

    private delegate Expected Scenario(World world, Action<BugCheckException> thrown);

    private static readonly Dictionary<string, Scenario> Scenarios = new()
    {
        [Misuses.PeriodicCancelAbovePassive.Name] = (w, thrown) =>
        {
            var fired = 0;
            var t = w.Ndis.NewTimerObject((_, _, _, _) => fired++);
            NdisSetTimerObject(t, -10_000, 5, null);
            var cancelled = false;
            StorportTestBed.AtIrql(KIRQL.DISPATCH_LEVEL, () => Catch(thrown, () => cancelled = NdisCancelTimerObject(t)));
            w.Ndis.AdvanceMs(50);
            Assert.Equal(0, fired); // cancelled either way
            return new((ulong)KIRQL.DISPATCH_LEVEL, () => Assert.True(cancelled));
        },
        [Misuses.TimerFreedWhileQueued.Name] = (w, thrown) =>
        {
            var fired = false;
            var t = w.Ndis.NewTimerObject((_, _, _, _) => fired = true);
            NdisSetTimerObject(t, -10_000, 0, null);
            Catch(thrown, () => NdisFreeTimerObject(t));
            w.Ndis.AdvanceMs(10);
            Assert.False(fired); // the host cancelled it either way
            return new();
        },
        [Misuses.TimerArmedAfterItsAdapterWentAway.Name] = (w, thrown) =>
        {
            var fired = 0;
            var t = w.Ndis.NewTimerObject((_, _, _, _) => fired++);
            w.Ndis.Adapter.Halt(); // left allocated: TimerObjectNotFreedAtHalt first
            var queued = true;
            Catch(thrown, () => queued = NdisSetTimerObject(t, -10_000, 0, null));
            w.Ndis.AdvanceMs(5);
            return new(0, () =>
            {
                Assert.False(queued);
                Assert.Equal(1, fired); // armed: a halted adapter's timer object fires as driver-level code
            });
        },
        [Misuses.FreedTimerUsed.Name] = (w, thrown) =>
        {
            var fired = false;
            var t = w.Ndis.NewTimerObject((_, _, _, _) => fired = true);
            NdisFreeTimerObject(t);
            bool? queued = null;
            Catch(thrown, () => queued = NdisSetTimerObject(t, -10_000, 0, null));
            w.Ndis.AdvanceMs(5);
            Assert.False(fired);
            return new(0, () =>
            {
                Assert.False(queued); // FALSE: nothing armed
                Assert.False(NdisCancelTimerObject(t)); // and nothing to cancel
            });
        },
        [Misuses.TimerFreedTwice.Name] = (w, thrown) =>
        {
            var t = w.Ndis.NewTimerObject((_, _, _, _) => { });
            NdisFreeTimerObject(t);
            Catch(thrown, () => NdisFreeTimerObject(t));
            return new();
        },
        [Misuses.OidCompletedTwice.Name] = (w, thrown) =>
        {
            w.Ndis.OidRequest = (_, _) => NDIS_STATUS_PENDING;
            var request = new NDIS_OID_REQUEST { Oid = OID_GEN_VENDOR_ID };
            Assert.Equal(NDIS_STATUS_PENDING, w.Ndis.Adapter.OidRequest(request));
            NdisMOidRequestComplete(w.Ndis.Adapter, request, NDIS_STATUS_SUCCESS);
            Catch(thrown, () => NdisMOidRequestComplete(w.Ndis.Adapter, request, NDIS_STATUS_SUCCESS));
            return new(OID_GEN_VENDOR_ID, () => Assert.Equal(1, w.Ndis.Host.CountCompletions("OidRequestComplete", NDIS_STATUS_SUCCESS))); // the second is ignored
        },
        [Misuses.TimerObjectNotFreedAtHalt.Name] = (w, _) =>
        {
            var fired = 0;
            var t = w.Ndis.NewTimerObject((_, _, _, _) => fired++);
            w.Ndis.Adapter.Halt();
            Assert.Equal(NdisAdapterState.Halted, w.Ndis.Adapter.State);
            return new(0, () =>
            {
                NdisSetTimerObject(t, -10_000, 0, null); // still allocated: it runs as driver-level code
                w.Ndis.AdvanceMs(2);
                Assert.Equal(1, fired);
            });
        },
        [Misuses.SharedMemoryNotFreedAtHalt.Name] = (w, _) =>
        {
            var nic = new Pcnet(w.Ndis.Virtual, new HostAddressMap(0x0010_0000, 0x1_0000_0000), new PcnetOptions { MacAddress = [0x00, 0x0C, 0x29, 0x00, 0x00, 0x01] });
            var adapter = w.Ndis.Host.AddAdapter(nic);
            adapter.Hardware!.AllocateDma(4096); // what NdisMAllocateSharedMemory does for a C miniport; MiniportHaltEx frees nothing
            adapter.Halt();
            Assert.Equal(0, adapter.Hardware.DmaBlockCount); // the host freed it either way
            return new(1, () => Assert.Equal(1, adapter.SharedMemoryLeftAtHalt));
        },
        [Misuses.TimerQueuedAtHalt.Name] = (w, _) =>
        {
            var fired = false;
            NdisSetTimerObject(w.Ndis.NewTimerObject((_, _, _, _) => fired = true), -10_000, 0, null);
            w.Ndis.Adapter.Halt();
            w.Ndis.AdvanceMs(5);
            Assert.False(fired); // the host cancelled it either way
            return new();
        },
        [Misuses.TimerQueuedAtRemoval.Name] = (w, _) =>
        {
            var fired = false;
            StorPortRequestTimer(w.Storport.Ext, w.Storport.NewTimer(), (_, _) => fired = true, null, 1_000, 0);
            w.Storport.Adapter.Remove();
            w.Storport.AdvanceMicroseconds(5_000);
            Assert.False(fired);
            Assert.Equal(AdapterState.Removed, w.Storport.Adapter.State);
            return new();
        },
        [Misuses.LockOrder.Name] = (w, _) =>
        {
            w.Storport.Interrupt = ext =>
            {
                var h = default(STOR_LOCK_HANDLE);
                StorPortAcquireSpinLock(ext, StartIoLock, null, ref h);
            };
            w.Storport.Adapter.RaiseInterrupt();
            return new((ulong)StartIoLock, () =>
            {
                // The acquire goes on, and the kernel's own check stops it: KeAcquireSpinLock from the device IRQL.
                var report = Assert.Single(w.Storport.Host.BugChecks);
                Assert.Equal((BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, (ulong)KIRQL.DISPATCH_LEVEL), (report.BugCheck.Code, report.BugCheck.Parameter2));
            });
        },
        [Misuses.ForbiddenLockInTimerCallback.Name] = (w, _) =>
        {
            var acquired = false;
            StorPortNotification(RequestTimerCall, w.Storport.Ext, ext =>
            {
                var h = default(STOR_LOCK_HANDLE);
                StorPortAcquireSpinLock(ext, DpcLock, null, ref h);
                acquired = w.Storport.Adapter.DpcSpinLock.IsOwnedByCurrentThread;
                StorPortReleaseSpinLock(ext, ref h);
            }, 10);
            w.Storport.AdvanceMicroseconds(10);
            return new((ulong)DpcLock, () =>
            {
                Assert.True(acquired);
                Assert.Empty(w.Storport.Host.BugChecks);
                Assert.Equal(AdapterState.Started, w.Storport.Adapter.State);
            });
        },
        [Misuses.ReleaseAtWrongIrql.Name] = (w, _) =>
        {
            var dpc = new STOR_DPC();
            StorPortInitializeDpc(w.Storport.Ext, dpc, (_, ext, _, _) =>
            {
                var h = default(STOR_LOCK_HANDLE);
                StorPortAcquireSpinLock(ext, InterruptLock, null, ref h);
                KeLowerIrql(KIRQL.DISPATCH_LEVEL);
                StorPortReleaseSpinLock(ext, ref h);
            });
            StorPortIssueDpc(w.Storport.Ext, dpc, null, null);
            w.Storport.AdvanceMicroseconds(0);
            Assert.False(w.Storport.Adapter.InterruptSpinLock.IsOwnedByCurrentThread);
            return new((ulong)KIRQL.DISPATCH_LEVEL, () =>
            {
                Assert.Empty(w.Storport.Host.BugChecks); // released
                Assert.Equal(AdapterState.Started, w.Storport.Adapter.State);
            });
        },
        [Misuses.NdisTimerInitializedWhileQueued.Name] = (w, thrown) =>
        {
            var fired = 0;
            var timer = new NDIS_MINIPORT_TIMER();
            NdisMInitializeTimer(timer, w.Ndis.Adapter, (_, _, _, _) => fired++, null);
            NdisMSetTimer(timer, 100);
            Catch(thrown, () => NdisMInitializeTimer(timer, w.Ndis.Adapter, (_, _, _, _) => fired += 10, null));
            w.Ndis.AdvanceMs(200);
            return new(0, () => Assert.Equal(0, fired)); // the old arming was cancelled
        },
        [Misuses.KeTimerInitializedWhileQueued.Name] = (w, _) =>
        {
            var fired = 0;
            InNdisRoutine(w, () =>
            {
                var timer = new KTIMER();
                var dpc = new KDPC();
                KeInitializeTimerEx(timer, TIMER_TYPE.NotificationTimer);
                KeInitializeDpc(dpc, (_, _, _, _) => fired++, null);
                KeSetTimer(timer, -10_000, dpc); // 1 ms
                KeInitializeTimerEx(timer, TIMER_TYPE.NotificationTimer);
            });
            w.Ndis.AdvanceMs(5);
            return new(0, () => Assert.Equal(0, fired)); // the old arming was cancelled
        },
        [Misuses.KeDpcInitializedWhileQueued.Name] = (w, _) =>
        {
            var ran = 0;
            InNdisRoutine(w, () =>
            {
                var dpc = new KDPC();
                KeInitializeDpc(dpc, (_, _, _, _) => ran++, null);
                Assert.True(KeInsertQueueDpc(dpc, null, null));
                KeInitializeDpc(dpc, (_, _, _, _) => ran += 10, null);
            });
            w.Ndis.AdvanceMs(1);
            return new(0, () => Assert.Equal(0, ran)); // removed from the queue
        },
        [Misuses.SpinLockFreedWhileHeld.Name] = (w, _) =>
        {
            NDIS_SPIN_LOCK? spinLock = null;
            InNdisRoutine(w, () =>
            {
                NdisAllocateSpinLock(out spinLock);
                NdisAcquireSpinLock(spinLock);
                NdisFreeSpinLock(spinLock);
                NdisReleaseSpinLock(spinLock);
            });
            return new(0, () => Assert.True(spinLock!.IsFreed));
        },
        [Misuses.ExTimerMisuse.Name] = (w, _) =>
        {
            InNdisRoutine(w, () => ExAllocateTimer(null, null, EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NO_WAKE));
            Assert.Equal(NdisAdapterState.Faulted, w.Ndis.Adapter.State); // the same bug check, verifier or not
            return new();
        },
    };

    private static void Catch(Action<BugCheckException> thrown, Action call)
    {
        try
        {
            call();
        }
        catch (BugCheckException bugCheck)
        {
            thrown(bugCheck);
        }
    }

    /// <summary>Runs <paramref name="body"/> inside the first NDIS adapter's MiniportOidRequest (PASSIVE_LEVEL, its kernel scope).</summary>
    private static void InNdisRoutine(World w, Action body)
    {
        w.Ndis.OidRequest = (_, _) =>
        {
            body();
            return NDIS_STATUS_SUCCESS;
        };
        w.Ndis.Adapter.OidRequest(new NDIS_OID_REQUEST { Oid = OID_GEN_VENDOR_ID });
    }

    /// <summary>An NDIS host and a Storport host with two adapters each: the first for the misuse, the second a bystander with a timer due at 50 ms.</summary>
    private sealed class World
    {
        private int _ndisBystanderFired;
        private int _storportBystanderFired;

        public World(bool verifier)
        {
            Ndis = new NdisTestBed(adapters: 2, options: new NdisHostOptions { Verifier = verifier });
            Storport = new StorportTestBed(new StorportHostOptions { Verifier = verifier }, adapters: 2);
            NdisSetTimerObject(Ndis.NewTimerObject((_, _, _, _) => _ndisBystanderFired++, handle: Ndis.Created[1]), -500_000, 0, null);
            StorPortRequestTimer(Storport.Created[1].DeviceExtension, Storport.NewTimer(Storport.Created[1]), (_, _) => _storportBystanderFired++, null, 50_000, 0);
        }

        public NdisTestBed Ndis { get; }

        public StorportTestBed Storport { get; }

        public IEnumerable<BugCheckReport> BugChecks => Ndis.Host.Diagnostics.BugChecks.Concat(Storport.Host.BugChecks);

        public IEnumerable<VerifierFinding> Findings => Ndis.Host.Diagnostics.Findings.Concat(Storport.Host.Findings);

        public void AssertBystandersUntouched()
        {
            Ndis.Virtual.AdvanceBy(Math.Max(0, (100 * Ms) - Ndis.Engine.NowNanoseconds));
            Storport.Engine.AdvanceBy(Math.Max(0, (100 * Ms) - Storport.Engine.NowNanoseconds));
            Assert.Equal((1, 1), (_ndisBystanderFired, _storportBystanderFired));
            Assert.Equal(NdisAdapterState.Running, Ndis.Created[1].State);
            Assert.Equal(AdapterState.Started, Storport.Created[1].State);
            Assert.DoesNotContain(BugChecks, r => r.Adapter == Ndis.Created[1].Name || r.Adapter == Storport.Created[1].Name);
        }
    }
}
