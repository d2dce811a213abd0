namespace MiniportTimers.Samples.Storahci;

/// <summary>Events of one storahci adapter that the run report shows. Written by miniport code, read after the run.</summary>
public sealed class StorahciCounters
{
    private long _slumbers;
    private long _lpmRequests;
    private long _unexpectedBusy;
    private long _busChangeRetries;
    private long _busChangeDone;
    private long _busChangeTimerInits;
    private long _powerDowns;
    private long _resets;
    private long _staleCallbacks;
    private long _stalls;

    /// <summary>Partial-to-Slumber transitions made by the LPM worker callback.</summary>
    public long Slumbers => Interlocked.Read(ref _slumbers);

    /// <summary>LPM timer requests on idle.</summary>
    public long LpmRequests => Interlocked.Read(ref _lpmRequests);

    /// <summary>STOR_STATUS_BUSY where the driver does not expect it (the LPM request).</summary>
    public long UnexpectedBusy => Interlocked.Read(ref _unexpectedBusy);

    /// <summary>Bus-change notifications refused and retried through the 100 ms timer.</summary>
    public long BusChangeRetries => Interlocked.Read(ref _busChangeRetries);

    /// <summary>Bus-change notifications accepted.</summary>
    public long BusChangeDone => Interlocked.Read(ref _busChangeDone);

    /// <summary>Run-time StorPortInitializeTimer calls for the bus-change timer.</summary>
    public long BusChangeTimerInits => Interlocked.Read(ref _busChangeTimerInits);

    /// <summary>Port power-downs (start timer cancelled).</summary>
    public long PowerDowns => Interlocked.Read(ref _powerDowns);

    /// <summary>Port resets (a new direct start while a timer start may be pending).</summary>
    public long Resets => Interlocked.Read(ref _resets);

    /// <summary>Start callbacks that found a direct start in process and bailed out.</summary>
    public long StaleCallbacks => Interlocked.Read(ref _staleCallbacks);

    /// <summary>Request failures answered with a 10 ms stall in place.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    internal void Slumber() => Interlocked.Increment(ref _slumbers);

    internal void LpmRequest() => Interlocked.Increment(ref _lpmRequests);

    internal void UnexpectedBusyReturn() => Interlocked.Increment(ref _unexpectedBusy);

    internal void BusChangeRetry() => Interlocked.Increment(ref _busChangeRetries);

    internal void BusChangeAccepted() => Interlocked.Increment(ref _busChangeDone);

    internal void BusChangeTimerInit() => Interlocked.Increment(ref _busChangeTimerInits);

    internal void PowerDown() => Interlocked.Increment(ref _powerDowns);

    internal void Reset() => Interlocked.Increment(ref _resets);

    internal void StaleCallback() => Interlocked.Increment(ref _staleCallbacks);

    internal void Stall() => Interlocked.Increment(ref _stalls);
}
