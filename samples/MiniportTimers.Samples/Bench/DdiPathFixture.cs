using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Ndis;
using MiniportTimers.Storport;
using static MiniportTimers.Kernel.Ke;
using static MiniportTimers.Ndis.NdisApi;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Bench;

/// <summary>
/// The smallest miniports of both stacks on one engine, for measuring what a timer DDI costs on top of the engine under
/// it (the <c>bench</c> command's "DDI path" rows and the BenchmarkDotNet DdiPathBenchmarks): one Storport adapter with an
/// extended timer and its legacy timer, one NDIS adapter with an NDIS 5 timer and an NDIS 6 timer object, a KTIMER, and a
/// bare engine timer. Each operation is one request (10 ms) and its cancel, or, on a virtual engine, one request due in
/// 1 µs and the advance that fires it. Callbacks are empty. Single-threaded: call from one thread.
/// </summary>
public sealed class DdiPathFixture
{
    private const long DelayNanoseconds = 10 * TimeUnits.NanosecondsPerMillisecond;
    private const long FireDelayNanoseconds = TimeUnits.NanosecondsPerMicrosecond;

    private static readonly EngineTimerCallback EngineNop = (_, in _) => { };
    private static readonly HW_TIMER_EX ExtendedNop = (_, _) => { };
    private static readonly HW_TIMER LegacyNop = _ => { };
    private static readonly NDIS_TIMER_FUNCTION NdisNop = (_, _, _, _) => { };

    private readonly EngineTimer _engineTimer;
    private readonly object _storportExtension;
    private readonly StorPortTimerHandle _storportTimer;
    private readonly NDIS_MINIPORT_TIMER _ndis5Timer = new();
    private readonly NdisTimerObject _ndis6Timer;
    private readonly KTIMER _kernelTimer = new();
    private readonly EngineTimer _enginePollTimer;
    private readonly HW_TIMER _legacyPoll;
    private readonly HW_TIMER_EX _extendedPoll;

    /// <summary>Which poll loop is running (see <see cref="EnginePollFire"/>): its callback requests itself again.</summary>
    private Poll _poll;

    /// <summary>Creates both hosts on <paramref name="engine"/>, with the verifier on or off.</summary>
    public DdiPathFixture(TimerEngine engine, bool verifier)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        _engineTimer = engine.CreateTimer(EngineNop);
        _enginePollTimer = engine.CreateTimer((timer, in _) =>
        {
            if (_poll == Poll.Engine)
            {
                Engine.Arm(timer, Engine.NowNanoseconds + FireDelayNanoseconds);
            }
        });
        _legacyPoll = extension =>
        {
            if (_poll == Poll.RequestTimerCall)
            {
                StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, extension, _legacyPoll!, 1);
            }
        };
        _extendedPoll = (extension, context) =>
        {
            if (_poll == Poll.StorPortRequestTimer)
            {
                StorPortRequestTimer(extension, _storportTimer!, _extendedPoll!, context, 1, 0);
            }
        };

        StorportHost = new StorportHost(engine, new StorportHostOptions { Verifier = verifier, DpcWatchdogMicroseconds = BodyAllotmentMicroseconds });
        StorportHost.StorPortInitialize(new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = () => new object(),
            HwFindAdapter = (object _, object? _, object? _, string? _, PORT_CONFIGURATION_INFORMATION _, out bool again) =>
            {
                again = false;
                return SP_RETURN_FOUND;
            },
            HwInitialize = _ => true,
            HwStartIo = (_, _) => true,
            HwInterrupt = _ => false,
            HwAdapterControl = (_, _, _) => 0,
        });
        _storportExtension = StorportHost.AddAdapter().DeviceExtension;
        if (StorPortInitializeTimer(_storportExtension, out var handle) != STOR_STATUS_SUCCESS)
        {
            throw new InvalidOperationException("StorPortInitializeTimer failed.");
        }

        _storportTimer = handle!;

        NdisHost = new NdisHost(engine, new NdisHostOptions { Verifier = verifier });
        NdisHost.NdisMRegisterMiniportDriver(
            new NDIS_MINIPORT_DRIVER_CHARACTERISTICS
            {
                InitializeHandlerEx = (adapter, _) => NDIS_STATUS_SUCCESS,
                HaltHandlerEx = _ => { },
            },
            null,
            out _);
        var nic = NdisHost.AddAdapter();
        NdisMInitializeTimer(_ndis5Timer, nic, NdisNop, null);
        NdisAllocateTimerObject(nic, NDIS_TIMER_CHARACTERISTICS.For(NdisNop), out var timerObject);
        _ndis6Timer = timerObject!;

        using (UseEngine(engine))
        {
            KeInitializeTimerEx(_kernelTimer, NotificationTimer);
        }
    }

    /// <summary>The engine under both hosts.</summary>
    public TimerEngine Engine { get; }

    /// <summary>The Storport host.</summary>
    public StorportHost StorportHost { get; }

    /// <summary>The NDIS host.</summary>
    public NdisHost NdisHost { get; }

    /// <summary>The engine's own Arm (10 ms) + Cancel: the baseline.</summary>
    public bool EngineArmCancel()
    {
        Engine.Arm(_engineTimer, Engine.NowNanoseconds + DelayNanoseconds);
        return Engine.Cancel(_engineTimer);
    }

    /// <summary>StorPortRequestTimer(10 ms) + StorPortRequestTimer(0).</summary>
    public uint StorPortRequestTimerCancel()
    {
        StorPortRequestTimer(_storportExtension, _storportTimer, ExtendedNop, null, 10_000, 0);
        return StorPortRequestTimer(_storportExtension, _storportTimer, ExtendedNop, null, 0, 0);
    }

    /// <summary>StorPortNotification(RequestTimerCall, 10 ms) + RequestTimerCall(0).</summary>
    public void RequestTimerCallCancel()
    {
        StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, _storportExtension, LegacyNop, 10_000);
        StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, _storportExtension, LegacyNop, 0);
    }

    /// <summary>
    /// Runs <paramref name="body"/> inside the adapter's HwStorTimer, where miniports call the Storport DDIs (at
    /// DISPATCH_LEVEL, holding the StartIo lock, with the host's routine bracket naming the adapter), requested through
    /// StorPortNotification(RequestTimerCall) 1 µs ahead. On a virtual engine the advance fires it on the calling thread;
    /// on a real one it runs on the engine's dispatcher and the calling thread waits for it (the fixture's DPC watchdog
    /// allows a callback <see cref="BodyAllotmentMicroseconds"/>, so a measurement may run that long inside one).
    /// </summary>
    /// <remarks>Call at PASSIVE_LEVEL, outside any routine, from the one thread that uses the fixture; it blocks until
    /// <paramref name="body"/> has returned. The page of the routine it runs in: HwStorTimer (storport.h, nc-storport-hw_timer).</remarks>
    /// <exception cref="InvalidOperationException">The callback did not run within the allotment.</exception>
    /// <exception cref="Exception">What <paramref name="body"/> threw, rethrown on the calling thread.</exception>
    public void RunInsideHwStorTimer(Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var done = new ManualResetEventSlim();
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, _storportExtension, _ =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                done.Set();
            }
        }, 1);
        if (Engine is VirtualTimerEngine engine)
        {
            engine.AdvanceBy(FireDelayNanoseconds);
        }

        if (!done.Wait(TimeSpan.FromMicroseconds(BodyAllotmentMicroseconds)))
        {
            throw new InvalidOperationException("HwStorTimer did not run.");
        }

        failure?.Throw();
    }

    /// <summary>How long a callback may run in this fixture before the DPC watchdog stops it, µs (60 s: see <see cref="RunInsideHwStorTimer"/>).</summary>
    public const long BodyAllotmentMicroseconds = 60_000_000;

    /// <summary>NdisMSetTimer(10 ms) + NdisMCancelTimer.</summary>
    public bool NdisMSetTimerCancel()
    {
        NdisMSetTimer(_ndis5Timer, 10);
        NdisMCancelTimer(_ndis5Timer, out var cancelled);
        return cancelled;
    }

    /// <summary>NdisSetTimerObject(-10 ms) + NdisCancelTimerObject.</summary>
    public bool NdisSetTimerObjectCancel()
    {
        NdisSetTimerObject(_ndis6Timer, -100_000, 0, null);
        return NdisCancelTimerObject(_ndis6Timer);
    }

    /// <summary>KeSetTimerEx(-10 ms) + KeCancelTimer.</summary>
    public bool KeSetTimerExCancel()
    {
        KeSetTimerEx(_kernelTimer, -100_000, 0, null);
        return KeCancelTimer(_kernelTimer);
    }

    /// <summary>Virtual engine: the engine's Arm (1 µs) and the advance that fires it.</summary>
    public void EngineArmFire()
    {
        var engine = RequireVirtual();
        engine.Arm(_engineTimer, engine.NowNanoseconds + FireDelayNanoseconds);
        engine.AdvanceBy(FireDelayNanoseconds);
    }

    /// <summary>Virtual engine: StorPortRequestTimer(1 µs) and the advance that fires its callback (StartIo lock, DPC watchdog).</summary>
    public void StorPortRequestTimerFire()
    {
        var engine = RequireVirtual();
        StorPortRequestTimer(_storportExtension, _storportTimer, ExtendedNop, null, 1, 0);
        engine.AdvanceBy(FireDelayNanoseconds);
    }

    /// <summary>Virtual engine: RequestTimerCall(1 µs) and the advance that fires HwStorTimer.</summary>
    public void RequestTimerCallFire()
    {
        var engine = RequireVirtual();
        StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, _storportExtension, LegacyNop, 1);
        engine.AdvanceBy(FireDelayNanoseconds);
    }

    /// <summary>Virtual engine: NdisSetTimerObject(-1 µs... the smallest relative due, 100 ns) and the advance that fires it.</summary>
    public void NdisSetTimerObjectFire()
    {
        var engine = RequireVirtual();
        NdisSetTimerObject(_ndis6Timer, -10, 0, null);
        engine.AdvanceBy(FireDelayNanoseconds);
    }

    /// <summary>Virtual engine: NdisMSetTimer(0 ms: the next dispatch) and the advance that fires it.</summary>
    public void NdisMSetTimerFire()
    {
        var engine = RequireVirtual();
        NdisMSetTimer(_ndis5Timer, 0);
        engine.AdvanceBy(FireDelayNanoseconds);
    }

    /// <summary>
    /// Virtual engine, the baseline of the poll rows: one step of a timer whose callback arms it again 1 µs ahead, and the
    /// advance that fires it (the engine's Arm from inside its own callback). The first call starts the loop (and stops
    /// another poll loop of this fixture); <see cref="StopPolls"/> ends it.
    /// </summary>
    public void EnginePollFire()
    {
        var engine = RequireVirtual();
        SwitchPoll(Poll.Engine);
        engine.AdvanceBy(FireDelayNanoseconds);
    }

    /// <summary>
    /// Virtual engine: one step of the poll loop real drivers write (nvmewin's NVMeRunning, a port-start poll): HwStorTimer
    /// requests itself again through StorPortNotification(RequestTimerCall, 1 µs) from inside its own call, where the
    /// adapter is the routine's, and the advance fires it. Starts and stops as <see cref="EnginePollFire"/> does.
    /// </summary>
    public void RequestTimerCallPollFire()
    {
        var engine = RequireVirtual();
        SwitchPoll(Poll.RequestTimerCall);
        engine.AdvanceBy(FireDelayNanoseconds);
    }

    /// <summary>
    /// Virtual engine: one step of a HW_TIMER_EX callback that requests its timer again (StorPortRequestTimer, 1 µs) from
    /// inside its own call, and the advance that fires it. Starts and stops as <see cref="EnginePollFire"/> does.
    /// </summary>
    public void StorPortRequestTimerPollFire()
    {
        var engine = RequireVirtual();
        SwitchPoll(Poll.StorPortRequestTimer);
        engine.AdvanceBy(FireDelayNanoseconds);
    }

    /// <summary>Ends whichever poll loop runs: its timer is cancelled (StorPortRequestTimer or RequestTimerCall with 0 for the DDIs') and nothing of it stays pending.</summary>
    public void StopPolls() => SwitchPoll(Poll.None);

    private void SwitchPoll(Poll to)
    {
        if (_poll == to)
        {
            return;
        }

        RequestPoll(_poll, start: false);
        _poll = to;
        RequestPoll(to, start: true);
    }

    /// <summary>Starts a poll loop (its first request, 1 µs ahead) or ends it (the cancel: the engine's Cancel, or the DDI with 0).</summary>
    private void RequestPoll(Poll poll, bool start)
    {
        switch (poll)
        {
            case Poll.Engine when start:
                Engine.Arm(_enginePollTimer, Engine.NowNanoseconds + FireDelayNanoseconds);
                break;
            case Poll.Engine:
                Engine.Cancel(_enginePollTimer);
                break;
            case Poll.RequestTimerCall:
                StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, _storportExtension, _legacyPoll, start ? 1u : 0u);
                break;
            case Poll.StorPortRequestTimer:
                StorPortRequestTimer(_storportExtension, _storportTimer, _extendedPoll, null, start ? 1u : 0u, 0);
                break;
        }
    }

    private enum Poll
    {
        None,
        Engine,
        RequestTimerCall,
        StorPortRequestTimer,
    }

    private VirtualTimerEngine RequireVirtual() =>
        Engine as VirtualTimerEngine ?? throw new InvalidOperationException("Fire measurements need a virtual engine (the callback runs on the advancing thread).");
}
