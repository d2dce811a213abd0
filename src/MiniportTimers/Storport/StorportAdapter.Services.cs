using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Storport.Timers;

namespace MiniportTimers.Storport;

public sealed partial class StorportAdapter
{
    // Services for the DDIs.


    internal uint InitializeTimer(out StorPortTimerHandle? handle)
    {
        var timer = new ExtendedPortTimer(this);
        if (!Timers.TryTrack(timer, Host.Options.MaxTimersPerAdapter))
        {
            handle = null;
            return StorPort.STOR_STATUS_UNSUCCESSFUL; // decision A7: only under a configured cap
        }

        handle = timer.Handle;
        return StorPort.STOR_STATUS_SUCCESS;
    }

    internal void CompleteRequest(SCSI_REQUEST_BLOCK srb)
    {
        var routine = StorportRoutines.Current;
        if (srb.TryComplete(routine))
        {
            ReleaseRequestMemory(srb);
            Host.RequestActivity.CountCompleted(routine);
            if (srb.CompletionRoutine is not null)
            {
                // Deferred to the dispatcher: the miniport may hold the StartIo or Interrupt lock here. One engine timer
                // per adapter drains the queue (armed when the queue goes from idle to busy), not one timer per request,
                // on the adapter's processor (so with several dispatchers the completion routines run on one, in order).
                _completed.Enqueue(srb);
                if (Interlocked.Exchange(ref _completionArmed, 1) == 0)
                {
                    var engine = Host.Engine;
                    _completionTimer ??= engine.CreateTimer(static (t, in _) => ((StorportAdapter)t.State!).RunCompletionRoutines(), this);
                    ArmOnProcessor(_completionTimer, engine.NowNanoseconds);
                }
            }
        }
        else
        {
            Host.Diagnostics.Add(new VerifierFinding(Name, "RequestCompletedTwice", $"SRB tag {srb.Tag} was completed a second time."));
        }
    }

    /// <summary>
    /// Arms host work of this adapter that calls the host's user (the completion routines, <see cref="StorportHost.RescanRequested"/>)
    /// on the adapter's <see cref="MiniportTimers.Hosting.HostedAdapter.Processor"/>: with several dispatchers it then runs on one of them, in
    /// due order, as the adapter's DPCs do, and a host whose own events are pinned there sees them one at a time.
    /// </summary>
    private void ArmOnProcessor(EngineTimer timer, long dueNanoseconds)
    {
        var engine = Host.Engine;
        if (engine.DispatcherCount > 1)
        {
            engine.TrySetTargetDispatcher(timer, Processor); // idle here (armed only from idle): this pins it
        }

        engine.Arm(timer, dueNanoseconds);
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<SCSI_REQUEST_BLOCK> _completed = new();
    private MiniportTimers.Engine.EngineTimer? _completionTimer;
    private int _completionArmed;

    /// <summary>
    /// On the dispatcher: the completion routines of the requests completed since the timer was armed, in completion
    /// order. The armed flag is cleared before the queue is drained, so a completion that lands meanwhile arms it again
    /// (or is drained now): none is left waiting.
    /// </summary>
    private void RunCompletionRoutines()
    {
        Volatile.Write(ref _completionArmed, 0);
        while (_completed.TryDequeue(out var srb))
        {
            srb.CompletionRoutine!(srb);
        }
    }

    /// <summary>The uncached extension (StorPortGetUncachedExtension): allocated once, in the device's DMA memory, freed with the adapter.</summary>
    internal nint GetUncachedExtension(MiniportTimers.Devices.Pci.AdapterHardware hardware, uint numberOfBytes)
    {
        lock (_stateChangeGate)
        {
            if (_uncachedExtension == 0)
            {
                (_uncachedExtension, _) = hardware.AllocateDma(numberOfBytes);
                _uncachedExtensionBytes = numberOfBytes;
            }

            return numberOfBytes <= _uncachedExtensionBytes ? _uncachedExtension : 0;
        }
    }

    private nint _uncachedExtension;
    private uint _uncachedExtensionBytes;

    /// <summary>
    /// StorPortStateChangeDetected: one notification at a time; the next is refused (STOR_STATUS_UNSUCCESSFUL) while the
    /// host re-enumerates. A notification taken raises <see cref="StorportHost.RescanRequested"/> on the dispatcher
    /// (deferred: the miniport may hold a port lock here), and <paramref name="processed"/> (the miniport's HwStateChange)
    /// runs once the processing time is over.
    /// </summary>
    internal uint StateChangeDetected(uint changedEntity, byte pathId, Action? processed = null)
    {
        var now = Host.Engine.NowNanoseconds;
        lock (_stateChangeGate)
        {
            if (now < _stateChangeBusyUntilNanoseconds)
            {
                return StorPort.STOR_STATUS_UNSUCCESSFUL; // a prior notification is still processed (storahci's BusChangeTimer retries on this, real-drivers.md S1c)
            }

            TimeUnits.TryMicrosecondsToNanoseconds(Host.Options.StateChangeProcessingMicroseconds, out var processing);
            _stateChangeBusyUntilNanoseconds = now + processing;
        }

        var engine = Host.Engine;
        if (Host.HasRescanHandlers)
        {
            ArmOnProcessor(engine.CreateTimer(static (t, in _) =>
            {
                var (adapter, entity, path) = ((StorportAdapter, uint, byte))t.State!;
                if (adapter.IsLive)
                {
                    adapter.Host.RaiseRescanRequested(adapter, entity, path);
                }
            }, (this, changedEntity, pathId)), now);
        }

        if (processed is not null)
        {
            // HW_STATE_CHANGE: once the notification is processed, at DISPATCH_LEVEL holding the StartIo lock.
            engine.Arm(engine.CreateTimer(static (t, in _) =>
            {
                var (adapter, callback) = ((StorportAdapter, Action))t.State!;
                adapter.RunStateChangeCallback(callback);
            }, (this, processed)), _stateChangeBusyUntilNanoseconds);
        }

        return StorPort.STOR_STATUS_SUCCESS;
    }

}
