using MiniportTimers.Engine;
using MiniportTimers.Ndis;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Ndis;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Ndis.NdisApi;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.ModelBased;

/// <summary>
/// The real thing: a Storport host and an NDIS host on one virtual engine. Each operation runs on the worker thread it
/// names (one at a time: the clock is virtual), so per-thread state (IRQL, counter slots) is exercised while the result
/// stays deterministic.
/// </summary>
public sealed class SystemUnderTest : IDisposable
{
    private const int NdisObjects = 3;
    private readonly StorportTestBed _storport = new();
    private readonly NdisTestBed _ndis;
    private readonly Dictionary<int, StorPortTimerHandle?> _handles = [];
    private readonly NdisTimerObject[] _objects;
    private readonly NDIS_MINIPORT_TIMER[] _miniportTimers;
    private readonly Worker[] _workers;
    private StorportAdapter _adapter;
    private int _acknowledgedBugChecks;
    private Operation? _dirqlOp;
    private string _dirqlStatus = string.Empty;

    public SystemUnderTest(int threads)
    {
        _adapter = _storport.Adapter;
        _ndis = new NdisTestBed(engine: _storport.Engine);
        _objects = [.. Enumerable.Range(0, NdisObjects).Select(i => _ndis.NewTimerObject((_, c, _, _) => Record((string)c!), $"obj{i}"))];
        _miniportTimers = [.. Enumerable.Range(0, 2).Select(i =>
        {
            var timer = new NDIS_MINIPORT_TIMER();
            NdisMInitializeTimer(timer, _ndis.Adapter, (_, c, _, _) => Record((string)c!), $"mt{i}");
            return timer;
        })];
        _storport.Interrupt = ext =>
        {
            var op = _dirqlOp!;
            _dirqlStatus = StorStatusName(StorPortRequestTimer(ext, _handles.GetValueOrDefault(op.Slot), Callback, $"ctx{op.Slot}.{op.Value}", (ulong)op.Value, 0));
        };
        _workers = [.. Enumerable.Range(0, threads).Select(_ => new Worker())];
    }

    public List<string> Log { get; } = [];

    public VirtualTimerEngine Engine => _storport.Engine;

    /// <summary>Bug checks no operation announced (a removal's TIMER_OR_DPC_INVALID are announced in its status).</summary>
    public IReadOnlyList<MiniportTimers.Diagnostics.BugCheckReport> BugChecks => [.. _storport.Host.BugChecks.Skip(_acknowledgedBugChecks), .. _ndis.Host.Diagnostics.BugChecks];

    public string Apply(Operation op) => _workers[op.Thread % _workers.Length].Run(() => Execute(op));

    public void Dispose()
    {
        foreach (var w in _workers)
        {
            w.Dispose();
        }
    }

    private void Record(string tag) => Log.Add($"{Engine.NowNanoseconds / TimeUnits.NanosecondsPerMicrosecond} {tag}");

    private void Callback(object ext, object? context) => Record((string)context!);

    private void LegacyA(object ext) => Record("A");

    private void LegacyB(object ext) => Record("B");

    private string Execute(Operation op)
    {
        switch (op.Kind)
        {
            case "Init":
                var status = StorPortInitializeTimer(_adapter.DeviceExtension, out var handle);
                _handles[op.Slot] = handle;
                return StorStatusName(status);
            case "Request":
                return StorStatusName(StorPortRequestTimer(_adapter.DeviceExtension, _handles.GetValueOrDefault(op.Slot), Callback, $"ctx{op.Slot}.{op.Value}", (ulong)op.Value, (ulong)op.Tolerance));
            case "RequestAtDispatch":
                // The worker raises its own IRQL (KeRaiseIrql) around the call, as a DPC-level caller would be.
                var atDispatch = string.Empty;
                StorportTestBed.AtIrql(MiniportTimers.Kernel.KIRQL.DISPATCH_LEVEL, () => atDispatch = StorStatusName(StorPortRequestTimer(_adapter.DeviceExtension, _handles.GetValueOrDefault(op.Slot), Callback, $"ctx{op.Slot}.{op.Value}", (ulong)op.Value, (ulong)op.Tolerance)));
                return atDispatch;
            case "RequestAtDirql":
                _dirqlOp = op;
                _adapter.RaiseInterrupt();
                return _dirqlStatus;
            case "Free":
                return StorStatusName(StorPortFreeTimer(_adapter.DeviceExtension, _handles.GetValueOrDefault(op.Slot)));
            case "Legacy":
                StorPortNotification(RequestTimerCall, _adapter.DeviceExtension, op.Tolerance == 0 ? LegacyA : LegacyB, (uint)op.Value);
                return string.Empty;
            case "NdisSet":
                return NdisSetTimerObject(_objects[op.Slot], -op.Value * 10, (int)op.Tolerance, null) ? "TRUE" : "FALSE";
            case "NdisCancel":
                return NdisCancelTimerObject(_objects[op.Slot]) ? "TRUE" : "FALSE";
            case "NdisMSet":
                NdisMSetTimer(_miniportTimers[op.Slot], (uint)op.Value);
                return string.Empty;
            case "NdisMSetPeriodic":
                NdisMSetPeriodicTimer(_miniportTimers[op.Slot], (uint)op.Value);
                return string.Empty;
            case "NdisMCancel":
                NdisMCancelTimer(_miniportTimers[op.Slot], out var cancelled);
                return cancelled ? "TRUE" : "FALSE";
            case "Remove":
                // PnP removal, then a new adapter: with the verifier, each timer still queued is TIMER_OR_DPC_INVALID.
                var before = _storport.Host.BugChecks.Count;
                _adapter.Remove();
                var raised = _storport.Host.BugChecks.Skip(before).ToList();
                _acknowledgedBugChecks += raised.Count(b => b.BugCheck.Code == MiniportTimers.Kernel.BugCheckCodes.TIMER_OR_DPC_INVALID);
                _adapter = _storport.Host.AddAdapter();
                _handles.Clear();
                return $"REMOVED {raised.Count} {string.Join(",", raised.Select(b => b.BugCheck.CodeName).Distinct())}".TrimEnd();
            case "Advance":
                Engine.AdvanceBy(op.Value * TimeUnits.NanosecondsPerMicrosecond);
                return string.Empty;
            default:
                throw new InvalidOperationException(op.Kind);
        }
    }

    /// <summary>A thread that runs one action at a time for the caller and hands back its result.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly Thread _thread;
        private readonly SemaphoreSlim _go = new(0);
        private readonly SemaphoreSlim _done = new(0);
        private Func<string>? _work;
        private string _result = string.Empty;
        private Exception? _error;

        public Worker()
        {
            _thread = new Thread(Loop) { IsBackground = true };
            _thread.Start();
        }

        public string Run(Func<string> work)
        {
            _work = work;
            _go.Release();
            _done.Wait();
            return _error is { } e ? throw new InvalidOperationException("operation failed", e) : _result;
        }

        public void Dispose()
        {
            _work = null;
            _go.Release();
            _thread.Join();
            _go.Dispose();
            _done.Dispose();
        }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                if (_work is not { } work)
                {
                    return;
                }

                try
                {
                    (_result, _error) = (work(), null);
                }
                catch (Exception ex)
                {
                    _error = ex;
                }

                _done.Release();
            }
        }
    }
}
