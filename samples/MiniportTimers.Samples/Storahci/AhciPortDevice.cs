using MiniportTimers.Engine;
using MiniportTimers.Storport;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// One AHCI port with its SATA device, as the driver sees it through registers. The link-state registers are functions
/// of the time since the last port start or COMRESET, so the model needs no timers of its own; commands complete after
/// the profile's latency through a completion interrupt, which the device raises with an engine timer (the way a
/// device emulator uses the engine).
/// </summary>
public sealed class AhciPortDevice
{
    private readonly object _gate = new();
    private readonly TimerEngine _engine;
    private readonly Queue<SCSI_REQUEST_BLOCK> _completed = new();
    private long _resetAtNanoseconds;
    private bool _hotPlugPending;
    private int _inFlight;

    internal AhciPortDevice(TimerEngine engine, AhciPortDeviceProfile profile)
    {
        _engine = engine;
        Profile = profile;
    }

    /// <summary>How this device behaves.</summary>
    public AhciPortDeviceProfile Profile { get; }

    /// <summary>The adapter whose HwStorInterrupt the device interrupts; set once the adapter exists.</summary>
    internal StorportAdapter? Adapter { get; set; }

    /// <summary>Link power state: "Active", or "Slumber" after the LPM worker moved it there.</summary>
    public string LinkPower { get; internal set; } = "Active";

    /// <summary>The device's clock (the engine's), ns.</summary>
    public long NowNanoseconds => _engine.NowNanoseconds;

    /// <summary>Commands issued and not yet completed.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    private long SinceResetMicroseconds => (_engine.NowNanoseconds - Volatile.Read(ref _resetAtNanoseconds)) / TimeUnits.NanosecondsPerMicrosecond;

    /// <summary>PxSSTS.DET: 0 no device, 1 device present without PHY, 3 device present with PHY established.</summary>
    public int Det
    {
        get
        {
            if (!Profile.Present)
            {
                return 0;
            }

            var t = SinceResetMicroseconds;
            return t < Profile.LinkUpMicroseconds ? 0 : t < Profile.LinkUpMicroseconds + Profile.PhyReadyMicroseconds ? 1 : 3;
        }
    }

    /// <summary>PxTFD.STS.BSY or DRQ set.</summary>
    public bool Busy => Profile.NeverReady || SinceResetMicroseconds < Profile.LinkUpMicroseconds + Profile.PhyReadyMicroseconds + Profile.BusyMicroseconds;

    /// <summary>Port start (spin-up) or COMRESET: the link comes up again from scratch.</summary>
    public void ComReset()
    {
        Volatile.Write(ref _resetAtNanoseconds, _engine.NowNanoseconds);
        LinkPower = "Active";
    }

    /// <summary>Starts a command; its completion interrupt comes after the profile's latency.</summary>
    public void Issue(SCSI_REQUEST_BLOCK srb)
    {
        Interlocked.Increment(ref _inFlight);
        LinkPower = "Active";
        var timer = _engine.CreateTimer(static (t, in _) => ((AhciPortDevice)((object[])t.State!)[0]).Finish((SCSI_REQUEST_BLOCK)((object[])t.State!)[1]), new object[] { this, srb });
        _engine.ArmAfter(timer, Profile.CommandLatencyMicroseconds * TimeUnits.NanosecondsPerMicrosecond);
    }

    /// <summary>Signals a hot-plug (PxIS.PRCS) and raises an interrupt.</summary>
    public void SignalHotPlug()
    {
        lock (_gate)
        {
            _hotPlugPending = true;
        }

        Adapter?.RaiseInterrupt();
    }

    /// <summary>Takes the commands that completed since the last call (what HwStorInterrupt reads from PxCI).</summary>
    internal List<SCSI_REQUEST_BLOCK> TakeCompleted()
    {
        lock (_gate)
        {
            var list = _completed.ToList();
            _completed.Clear();
            return list;
        }
    }

    /// <summary>Reads and clears the hot-plug status bit.</summary>
    internal bool TakeHotPlug()
    {
        lock (_gate)
        {
            var was = _hotPlugPending;
            _hotPlugPending = false;
            return was;
        }
    }

    private void Finish(SCSI_REQUEST_BLOCK srb)
    {
        lock (_gate)
        {
            _completed.Enqueue(srb);
        }

        Interlocked.Decrement(ref _inFlight);
        Adapter?.RaiseInterrupt();
    }
}
