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

    /// <summary>Binds the driver linked into this program and runs its DriverEntry.</summary>
    public int StartDriver(int stack)
    {
        switch (stack)
        {
            case 1:
                var storport = NativeStorportDriver.LoadFromProcess(Storport);
                Driver = storport;
                return unchecked((int)storport.DriverEntryStatus);
            case 2:
                var ndis = NativeNdisDriver.LoadFromProcess(Ndis);
                Driver = ndis;
                return ndis.DriverEntryStatus;
            default:
                throw new ArgumentOutOfRangeException(nameof(stack), stack, "stack must be MPT_STACK_STORPORT (1) or MPT_STACK_NDIS (2)");
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

        json.Append(CultureInfo.InvariantCulture, $"],\"findings\":{diagnostics.FindingCount},\"debugPrints\":{Driver?.DebugOutput.Count ?? 0}}}");
        return json.ToString();
    }

    public void Dispose()
    {
        (Driver as IDisposable)?.Dispose();
        Engine.Dispose();
    }
}
