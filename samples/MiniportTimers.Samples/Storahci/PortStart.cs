using MiniportTimers.Storport;
using static MiniportTimers.Devices.Ahci.AhciRegisters;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// storahci's port start (real-drivers.md S1) on the HBA's registers: P_Running_StartAttempt stops the port and points
/// it at its memory, then runs the first step synchronously; each phase polls a register through StartPortTimer at
/// 10 ms (20 ms while PxTFD.STS.BSY or DRQ is set) until the port runs (PxCMD.ST set), is empty, or the weighted total of
/// the polls passes 60 s. Ports of an adapter start one after another: each port's end starts the next.
/// </summary>
internal static class PortStart
{
    private const uint PollMicroseconds = 10_000;
    private const uint BusyPollMicroseconds = 20_000;
    private const long GiveUpMilliseconds = 60_000;

    /// <summary>
    /// P_Running_StartAttempt: reset the phase counters, stop and program the port (with <paramref name="comReset"/>, a
    /// port reset: COMRESET too), and run the first step now (the "direct start").
    /// </summary>
    public static void StartAttempt(object hwDeviceExtension, AhciChannelExtension port, bool inStartChain, bool comReset = false)
    {
        port.InStartChain = inStartChain;
        port.Outcome = PortOutcome.Starting;
        port.Phase = StartPhase.Det;
        port.DetCount = port.Det1Count = port.Det3Count = port.FreCount = port.BsyDrqCount = 0;
        port.TotalWaitMilliseconds = 0;
        port.StartedAttemptAtNanoseconds = port.AdapterExtension.NowNanoseconds();

        // P_NotRunning: the command list stops (what was issued waits for the port again), then §10.1.2 programming.
        AhciHardware.UnderInterruptLock(port.AdapterExtension, () =>
        {
            foreach (var srb in AhciHardware.StopCommandList(port).AsEnumerable().Reverse())
            {
                Requeue(port, srb);
            }
        });
        AhciHardware.ProgramPort(port);
        if (comReset)
        {
            AhciHardware.ComReset(port);
        }
        port.DirectStartInProcess = true;
        port.FirstCallbackOfAttempt = true;
        try
        {
            Run(hwDeviceExtension, port);
        }
        finally
        {
            port.DirectStartInProcess = false;
        }
    }

    /// <summary>P_Running_Callback: the StartPortTimer routine. Runs with the StartIo lock held (Storport guarantees it).</summary>
    public static void P_Running_Callback(object hwDeviceExtension, object? context)
    {
        var port = (AhciChannelExtension)context!;
        if (port.FirstCallbackOfAttempt)
        {
            // The first callback of an attempt synchronizes with a direct start that may run under the Interrupt lock.
            var lockHandle = default(STOR_LOCK_HANDLE);
            StorPortAcquireSpinLock(hwDeviceExtension, InterruptLock, null, ref lockHandle);
            var directStartRunning = port.DirectStartInProcess;
            port.FirstCallbackOfAttempt = false;
            StorPortReleaseSpinLock(hwDeviceExtension, ref lockHandle);
            if (directStartRunning)
            {
                port.AdapterExtension.Counters.StaleCallback();
                return; // the direct start owns the state machine now
            }
        }

        if (port.Outcome != PortOutcome.Starting)
        {
            return; // powered down or finished meanwhile
        }

        Run(hwDeviceExtension, port);
    }

    /// <summary>P_Running: advance the phases until one must wait, then ask for a callback.</summary>
    private static void Run(object hwDeviceExtension, AhciChannelExtension port)
    {
        while (true)
        {
            uint waitMicroseconds;
            switch (port.Phase)
            {
                case StartPhase.Det:
                    var det = Det(port);
                    if (det == 3)
                    {
                        port.Phase = StartPhase.Fre;
                        continue;
                    }

                    if (det == 1)
                    {
                        port.Phase = StartPhase.Det1;
                        continue;
                    }

                    if (++port.DetCount > 3)
                    {
                        Finish(hwDeviceExtension, port, PortOutcome.NoDevice);
                        return;
                    }

                    waitMicroseconds = PollMicroseconds;
                    break;

                case StartPhase.Det1:
                    if (Det(port) == 3)
                    {
                        port.Phase = StartPhase.Fre;
                        continue;
                    }

                    if (++port.Det1Count > 100)
                    {
                        AhciHardware.ComReset(port);
                        port.Phase = StartPhase.Det3;
                        continue;
                    }

                    waitMicroseconds = PollMicroseconds;
                    break;

                case StartPhase.Det3:
                    if (Det(port) == 3)
                    {
                        port.Phase = StartPhase.Fre;
                        continue;
                    }

                    if (++port.Det3Count > 100)
                    {
                        Finish(hwDeviceExtension, port, PortOutcome.Failed);
                        return;
                    }

                    waitMicroseconds = PollMicroseconds;
                    break;

                case StartPhase.Fre:
                    // §10.3.2: FIS receive on (PxCMD.FRE), and wait for the HBA to show it running (PxCMD.FR).
                    var command = port.Read(PxCMD);
                    if ((command & PxCMD_FRE) == 0)
                    {
                        port.Write(PxCMD, command | PxCMD_FRE);
                    }

                    if ((port.Read(PxCMD) & PxCMD_FR) != 0)
                    {
                        port.Phase = StartPhase.BsyDrq;
                        continue;
                    }

                    if (++port.FreCount > 5)
                    {
                        Finish(hwDeviceExtension, port, PortOutcome.Failed);
                        return;
                    }

                    waitMicroseconds = PollMicroseconds;
                    break;

                default: // BsyDrq
                    if ((port.Read(PxTFD) & (PxTFD_STS_BSY | PxTFD_STS_DRQ)) == 0)
                    {
                        // §10.3.1: the device is ready; the command list runs (PxCMD.ST, the HBA sets CR).
                        port.Write(PxCMD, port.Read(PxCMD) | PxCMD_ST);
                        Finish(hwDeviceExtension, port, PortOutcome.Running);
                        return;
                    }

                    if (++port.BsyDrqCount == 50)
                    {
                        // One second of BSY: COMRESET (PxSCTL.DET 1, then 0), and go back to waiting for DET = 3 with its count at 51.
                        AhciHardware.ComReset(port);
                        port.Phase = StartPhase.Det3;
                        port.Det3Count = 51;
                        waitMicroseconds = PollMicroseconds;
                        break;
                    }

                    waitMicroseconds = BusyPollMicroseconds;
                    break;
            }

            port.TotalWaitMilliseconds += waitMicroseconds / 1000;
            if (port.TotalWaitMilliseconds > GiveUpMilliseconds)
            {
                Finish(hwDeviceExtension, port, PortOutcome.Failed);
                return;
            }

            var status = StorPortRequestTimer(hwDeviceExtension, port.StartPortTimer, P_Running_Callback, port, waitMicroseconds, 0);
            if (status == STOR_STATUS_SUCCESS || status == STOR_STATUS_BUSY)
            {
                return; // a callback will come
            }

            // Anything else: stall 10 ms in place and run this phase again.
            port.AdapterExtension.Counters.Stall();
            StorPortStallExecution(PollMicroseconds);
        }
    }

    /// <summary>The attempt ended: start queued I/O or fail it, then start the next port of the chain.</summary>
    private static void Finish(object hwDeviceExtension, AhciChannelExtension port, PortOutcome outcome)
    {
        port.Outcome = outcome;
        port.FinishedAttemptAtNanoseconds = port.AdapterExtension.NowNanoseconds();
        AhciHardware.EnableInterrupts(port, outcome == PortOutcome.Running);
        if (outcome == PortOutcome.Running)
        {
            ActivateQueue(hwDeviceExtension, port);
        }
        else
        {
            FailAllIos(hwDeviceExtension, port, SRB_STATUS_NO_DEVICE);
        }

        if (port.InStartChain)
        {
            port.InStartChain = false;
            RunNextPort(hwDeviceExtension, port);
        }
    }

    /// <summary>AhciAdapterRunAllPorts: start only the first port; each port's end starts the next.</summary>
    public static void RunAllPorts(object hwDeviceExtension, AhciAdapterExtension adapter)
    {
        if (adapter.Ports.Count > 0)
        {
            StartAttempt(hwDeviceExtension, adapter.Ports[0], inStartChain: true);
        }
    }

    internal static void RunNextPort(object hwDeviceExtension, AhciChannelExtension port)
    {
        var next = port.PortNumber + 1;
        if (next < port.AdapterExtension.Ports.Count)
        {
            StartAttempt(hwDeviceExtension, port.AdapterExtension.Ports[next], inStartChain: true);
        }
    }

    /// <summary>ActivateQueue: start the requests that waited for the port, from inside the timer callback.</summary>
    public static void ActivateQueue(object hwDeviceExtension, AhciChannelExtension port)
    {
        while (port.PendingSrbs.TryDequeue(out var srb))
        {
            Io.Start(hwDeviceExtension, port, srb);
        }
    }

    /// <summary>AhciPortFailAllIos: complete every waiting request with <paramref name="srbStatus"/>.</summary>
    public static void FailAllIos(object hwDeviceExtension, AhciChannelExtension port, byte srbStatus)
    {
        while (port.PendingSrbs.TryDequeue(out var srb))
        {
            srb.SrbStatus = srbStatus;
            StorPortNotification(RequestComplete, hwDeviceExtension, srb);
        }
    }

    /// <summary>
    /// AhciPortPowerDown: cancel a start in progress with StorPortRequestTimer(…, 0, 0), and stop the command list; what
    /// was issued waits for the port to start again.
    /// </summary>
    public static void PowerDown(object hwDeviceExtension, AhciChannelExtension port)
    {
        StorPortRequestTimer(hwDeviceExtension, port.StartPortTimer, P_Running_Callback, port, 0, 0);
        AhciHardware.UnderInterruptLock(port.AdapterExtension, () =>
        {
            foreach (var srb in AhciHardware.StopCommandList(port).AsEnumerable().Reverse())
            {
                Requeue(port, srb);
            }

            port.Write(PxIE, AhciHardware.HotPlugInterrupts);
        });
        port.Outcome = PortOutcome.Stopped;
        port.InStartChain = false;
        port.AdapterExtension.Counters.PowerDown();
    }

    /// <summary>PxSSTS.DET (§3.3.10): 0 no device, 1 device present without Phy communication, 3 established, 4 offline.</summary>
    private static uint Det(AhciChannelExtension port) => port.Read(PxSSTS) & PxSSTS_DET_Mask;

    /// <summary>Puts a request taken off the command list back at the head of the pending queue (order kept by the caller).</summary>
    private static void Requeue(AhciChannelExtension port, SCSI_REQUEST_BLOCK srb)
    {
        var rest = port.PendingSrbs.ToArray();
        port.PendingSrbs.Clear();
        port.PendingSrbs.Enqueue(srb);
        foreach (var r in rest)
        {
            port.PendingSrbs.Enqueue(r);
        }
    }
}
