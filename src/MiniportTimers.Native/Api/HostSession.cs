using System.Globalization;
using System.Text;
using MiniportTimers.Engine;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Native.Storport;
using MiniportTimers.Ndis;
using MiniportTimers.Storport;

namespace MiniportTimers.Native.Api;

/// <summary>
/// What one MPT_HOST of the C API (native/include/mpt/host.h) is: an engine (virtual or real), a Storport host and an
/// NDIS host on it, the driver linked into the program, its adapters, and the last error's text. Thread-safe as its
/// hosts are; one C caller per session is the expected use.
/// </summary>
internal sealed class HostSession : IDisposable
{
    private readonly List<StorportAdapter> _storportAdapters = [];
    private readonly List<NdisMiniportAdapter> _ndisAdapters = [];

    public HostSession(bool virtualClock)
    {
        Engine = virtualClock ? new VirtualTimerEngine() : new RealTimeTimerEngine("mpt host");
        Storport = new StorportHost(Engine);
        Ndis = new NdisHost(Engine);
    }

    public TimerEngine Engine { get; }

    public StorportHost Storport { get; }

    public NdisHost Ndis { get; }

    public NativeDriver? Driver { get; private set; }

    public string LastError { get; set; } = string.Empty;

    /// <summary>
    /// Binds the driver linked into this program and runs its DriverEntry (mpt_host_start_driver): its status, as host.h
    /// promises, failures included (0xC0000001 is returned as the int of the same bits, with <see cref="LastError"/>
    /// naming it).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stack"/> is neither 1 nor 2.</exception>
    /// <exception cref="NativeDriverException">DriverEntry could not run (the program has no shim) or raised a bug check.</exception>
    public int StartDriver(int stack) => stack switch
    {
        1 => StartDriver(static s => NativeStorportDriver.LoadFromProcess(s.Storport)),
        2 => StartDriver(static s => NativeNdisDriver.LoadFromProcess(s.Ndis)),
        _ => throw new ArgumentOutOfRangeException(nameof(stack), stack, "stack must be MPT_STACK_STORPORT (1) or MPT_STACK_NDIS (2)"),
    };

    /// <summary>
    /// Binds the driver <paramref name="load"/> loads on this session's hosts: DriverEntry's status, a failure included
    /// (then <see cref="LastError"/> names it and <see cref="Driver"/> stays unset).
    /// </summary>
    /// <exception cref="NativeDriverException">DriverEntry could not run, or raised a bug check.</exception>
    internal int StartDriver(Func<HostSession, NativeDriver> load)
    {
        try
        {
            Driver = load(this);
            return Driver switch
            {
                NativeStorportDriver storport => unchecked((int)storport.DriverEntryStatus),
                NativeNdisDriver ndis => ndis.DriverEntryStatus,
                _ => 0,
            };
        }
        catch (NativeDriverException ex) when (ex.DriverEntryStatus is { } status)
        {
            LastError = $"{nameof(NativeDriverException)}: {ex.Message}";
            return unchecked((int)status);
        }
    }

    public int AddAdapter()
    {
        switch (Driver)
        {
            case NativeStorportDriver:
                _storportAdapters.Add(Storport.AddAdapter());
                return _storportAdapters.Count - 1;
            case NativeNdisDriver:
                _ndisAdapters.Add(Ndis.AddAdapter());
                return _ndisAdapters.Count - 1;
            default:
                throw new InvalidOperationException("call mpt_host_start_driver first");
        }
    }

    public void Advance(ulong microseconds)
    {
        var nanoseconds = checked((long)microseconds * TimeUnits.NanosecondsPerMicrosecond);
        if (Engine is VirtualTimerEngine virtualEngine)
        {
            virtualEngine.AdvanceBy(nanoseconds);
            return;
        }

        using var done = new ManualResetEventSlim();
        var timer = Engine.CreateTimer(static (t, in _) => ((ManualResetEventSlim)t.State!).Set(), done);
        Engine.ArmAfter(timer, nanoseconds);
        done.Wait();
    }

    public bool Submit(int adapter, byte command) =>
        _storportAdapters[adapter].SubmitRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, CdbOperationCode = command });

    public void Stop(int adapter)
    {
        if (Driver is NativeStorportDriver)
        {
            _storportAdapters[adapter].Remove();
        }
        else
        {
            _ndisAdapters[adapter].Halt();
        }
    }

    /// <summary>The report: every timer row, bug checks and findings, as JSON (hand-written: small, stable field names).</summary>
    public string ReportJson()
    {
        var diagnostics = Driver is NativeNdisDriver ? Ndis.Diagnostics : Storport.Diagnostics;
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $"{{\"engineNanoseconds\":{Engine.NowNanoseconds},\"timers\":[");
        var first = true;
        foreach (var row in diagnostics.TimerActivity.Rows)
        {
            json.Append(first ? string.Empty : ",");
            first = false;
            json.Append(CultureInfo.InvariantCulture, $"{{\"kind\":\"{row.Kind}\",\"callback\":\"{row.Callback}\",\"arms\":{row.Arms},\"fires\":{row.Fires},\"cancels\":{row.Cancels},\"busy\":{row.Busy},\"maxLatenessNanoseconds\":{Math.Max(0, row.Lateness.MaxNanoseconds)}}}");
        }

        json.Append(CultureInfo.InvariantCulture, $"],\"bugChecks\":[");
        first = true;
        foreach (var report in diagnostics.BugChecks)
        {
            json.Append(first ? string.Empty : ",");
            first = false;
            json.Append(CultureInfo.InvariantCulture, $"{{\"adapter\":\"{report.Adapter}\",\"routine\":\"{report.Routine}\",\"code\":{report.BugCheck.Code}}}");
        }

        json.Append(CultureInfo.InvariantCulture, $"],\"findings\":{diagnostics.FindingCount},\"debugPrints\":{Driver?.DebugPrintCount ?? 0}}}");
        return json.ToString();
    }

    public void Dispose()
    {
        (Driver as IDisposable)?.Dispose();
        Engine.Dispose();
    }
}
