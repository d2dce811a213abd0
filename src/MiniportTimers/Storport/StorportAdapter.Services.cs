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
            Host.RequestActivity.CountCompleted(routine);
        }
        else
        {
            Host.Diagnostics.Add(new VerifierFinding(Name, "RequestCompletedTwice", $"SRB tag {srb.Tag} was completed a second time."));
        }
    }

    /// <summary>StorPortStateChangeDetected: one notification at a time; the next is refused while the host re-enumerates.</summary>
    internal uint StateChangeDetected()
    {
        var now = Host.Engine.NowNanoseconds;
        lock (_stateChangeGate)
        {
            if (now < _stateChangeBusyUntilNanoseconds)
            {
                return StorPort.STOR_STATUS_BUSY;
            }

            TimeUnits.TryMicrosecondsToNanoseconds(Host.Options.StateChangeProcessingMicroseconds, out var processing);
            _stateChangeBusyUntilNanoseconds = now + processing;
        }

        return StorPort.STOR_STATUS_SUCCESS;
    }
}
