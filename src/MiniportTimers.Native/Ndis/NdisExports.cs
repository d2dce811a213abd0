using MiniportTimers.Native.Interop;
using MiniportTimers.Ndis;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// The NDIS DDIs a native miniport calls, as [UnmanagedCallersOnly] entry points of the DDI table over the flat C# DDIs
/// (<see cref="NdisApi"/>, <see cref="NdisHost"/>): the semantics, verifier and accounting are the library's. Nothing
/// escapes to C (<see cref="DdiGuard"/>).
/// </summary>
internal static unsafe class NdisExports
{
    /// <summary>NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES: the attributes that carry the MiniportAdapterContext.</summary>
    private const byte NdisObjectTypeRegistrationAttributes = 0x9E;

    public static void Fill(MptDdiTable* t)
    {
        t->NdisMRegisterMiniportDriver = &RegisterMiniportDriver;
        t->NdisMSetMiniportAttributes = &SetMiniportAttributes;
        t->NdisMPauseComplete = &PauseComplete;
        t->NdisMResetComplete = &ResetComplete;
        t->NdisMInitializeTimer = &InitializeTimer;
        t->NdisMSetTimer = &SetTimer;
        t->NdisMCancelTimer = &CancelTimer;
        t->NdisAllocateTimerObject = &AllocateTimerObject;
        t->NdisSetTimerObject = &SetTimerObject;
        t->NdisCancelTimerObject = &CancelTimerObject;
        t->NdisFreeTimerObject = &FreeTimerObject;
        t->NdisMRegisterInterruptEx = &RegisterInterruptEx;
        t->NdisMDeregisterInterruptEx = &DeregisterInterruptEx;
        t->NdisMSynchronizeWithInterruptEx = &SynchronizeWithInterruptEx;
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static int RegisterInterruptEx(nint adapterHandle, nint context, nint characteristics, nint* interruptHandle)
    {
        try
        {
            var driver = DdiGuard.RequireDriver("NdisMRegisterInterruptEx");
            var isr = characteristics == 0 ? 0 : *(nint*)(characteristics + 8);
            var dpc = characteristics == 0 ? 0 : *(nint*)(characteristics + 16);
            var managed = new NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS
            {
                InterruptHandler = isr == 0 ? null : driver.Callback(isr).Isr,
                InterruptDpcHandler = dpc == 0 ? null : driver.Callback(dpc).InterruptDpc,
            };
            var status = NdisApi.NdisMRegisterInterruptEx(NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMRegisterInterruptEx"), NativeCallback.Boxed(context), managed, out var handle);
            if (interruptHandle is not null)
            {
                *interruptHandle = handle is null ? 0 : NativeNdisObjects.AddInterrupt(handle);
            }

            return unchecked((int)status);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMRegisterInterruptEx");
            return unchecked((int)NdisApi.NDIS_STATUS_FAILURE);
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void DeregisterInterruptEx(nint interruptHandle)
    {
        try
        {
            NdisApi.NdisMDeregisterInterruptEx(Interrupt(interruptHandle, "NdisMDeregisterInterruptEx"));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMDeregisterInterruptEx");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte SynchronizeWithInterruptEx(nint interruptHandle, uint messageId, nint function, nint context)
    {
        try
        {
            ArgumentOutOfRangeException.ThrowIfZero(function);
            var routine = DdiGuard.RequireDriver("NdisMSynchronizeWithInterruptEx").Callback(function);
            return NdisApi.NdisMSynchronizeWithInterruptEx(Interrupt(interruptHandle, "NdisMSynchronizeWithInterruptEx"), messageId, routine.Synchronize, NativeCallback.Boxed(context)) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMSynchronizeWithInterruptEx");
            return 0;
        }
    }

    private static NdisInterrupt Interrupt(nint handle, string routine) =>
        NativeNdisObjects.Interrupt(handle) ?? throw new ArgumentException($"{routine}: 0x{handle:X} is not an interrupt handle the host gave this driver.", nameof(handle));

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static int RegisterMiniportDriver(nint driverObject, nint driverContext, nint characteristics, nint* driverHandle)
    {
        try
        {
            var driver = NativeNdisDriver.FromToken(driverObject)
                ?? throw new ArgumentException("NdisMRegisterMiniportDriver: DriverObject is not the one DriverEntry was given.", nameof(driverObject));
            return driver.Register((NativeMiniportCharacteristics*)characteristics, driverContext, driverHandle);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMRegisterMiniportDriver");
            return unchecked((int)NdisApi.NDIS_STATUS_FAILURE);
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static int SetMiniportAttributes(nint adapterHandle, nint attributes)
    {
        try
        {
            ArgumentOutOfRangeException.ThrowIfZero(attributes);
            var adapter = NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMSetMiniportAttributes");
            if (*(byte*)attributes != NdisObjectTypeRegistrationAttributes)
            {
                // General, offload and other attributes describe the adapter to protocols; the host has none to tell.
                return unchecked((int)NdisApi.NDIS_STATUS_SUCCESS);
            }

            var context = *(nint*)(attributes + 8); // NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES.MiniportAdapterContext
            return unchecked((int)NdisApi.NdisMSetMiniportAttributes(adapter, context));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMSetMiniportAttributes");
            return unchecked((int)NdisApi.NDIS_STATUS_FAILURE);
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void PauseComplete(nint adapterHandle)
    {
        try
        {
            NdisApi.NdisMPauseComplete(NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMPauseComplete"));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMPauseComplete");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void ResetComplete(nint adapterHandle, int status, byte addressingReset)
    {
        try
        {
            NdisApi.NdisMResetComplete(NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMResetComplete"), unchecked((uint)status), addressingReset != 0);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMResetComplete");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void InitializeTimer(nint timer, nint adapterHandle, nint function, nint context)
    {
        try
        {
            ArgumentOutOfRangeException.ThrowIfZero(timer);
            ArgumentOutOfRangeException.ThrowIfZero(function);
            var callback = DdiGuard.RequireDriver("NdisMInitializeTimer").Callback(function);
            NdisApi.NdisMInitializeTimer(NativeNdisObjects.Ndis5Timer(callback.Driver, timer), NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMInitializeTimer"), callback.NdisTimer, NativeCallback.Boxed(context));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMInitializeTimer");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void SetTimer(nint timer, uint milliseconds, byte periodic)
    {
        try
        {
            var t = NativeNdisObjects.Ndis5Timer(DdiGuard.RequireDriver(periodic != 0 ? "NdisMSetPeriodicTimer" : "NdisMSetTimer"), timer);
            if (periodic != 0)
            {
                NdisApi.NdisMSetPeriodicTimer(t, milliseconds);
            }
            else
            {
                NdisApi.NdisMSetTimer(t, milliseconds);
            }
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, periodic != 0 ? "NdisMSetPeriodicTimer" : "NdisMSetTimer");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte CancelTimer(nint timer)
    {
        try
        {
            NdisApi.NdisMCancelTimer(NativeNdisObjects.Ndis5Timer(DdiGuard.RequireDriver("NdisMCancelTimer"), timer), out var cancelled);
            return cancelled ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMCancelTimer");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static int AllocateTimerObject(nint ndisHandle, nint characteristics, nint* timerObject)
    {
        try
        {
            NDIS_TIMER_CHARACTERISTICS? managed = null;
            if (characteristics != 0)
            {
                var c = *(NativeTimerCharacteristics*)characteristics;
                managed = new NDIS_TIMER_CHARACTERISTICS
                {
                    Header = new NDIS_OBJECT_HEADER(c.Type, c.Revision, c.Size),
                    AllocationTag = c.AllocationTag,
                    TimerFunction = c.TimerFunction == 0 ? null : DdiGuard.RequireDriver("NdisAllocateTimerObject").Callback(c.TimerFunction).NdisTimer,
                    FunctionContext = NativeCallback.Boxed(c.FunctionContext),
                };
            }

            var status = NdisApi.NdisAllocateTimerObject(NativeNdisDriver.Handle(ndisHandle), managed, out var allocated);
            if (timerObject is not null)
            {
                *timerObject = allocated is null ? 0 : NativeNdisObjects.AddTimerObject(allocated);
            }

            return unchecked((int)status);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisAllocateTimerObject");
            return unchecked((int)NdisApi.NDIS_STATUS_FAILURE);
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte SetTimerObject(nint timerObject, long dueTime100ns, int millisecondsPeriod, nint context, uint toleranceMilliseconds, byte coalescable)
    {
        var routine = coalescable != 0 ? "NdisSetCoalescableTimerObject" : "NdisSetTimerObject";
        try
        {
            var t = NativeNdisObjects.TimerObject(timerObject) ?? throw new ArgumentException($"{routine}: 0x{timerObject:X} is not a timer object the host allocated.", nameof(timerObject));
            var queued = coalescable != 0
                ? NdisApi.NdisSetCoalescableTimerObject(t, dueTime100ns, millisecondsPeriod, NativeCallback.Boxed(context), toleranceMilliseconds)
                : NdisApi.NdisSetTimerObject(t, dueTime100ns, millisecondsPeriod, NativeCallback.Boxed(context));
            return queued ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, routine);
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte CancelTimerObject(nint timerObject)
    {
        try
        {
            var t = NativeNdisObjects.TimerObject(timerObject) ?? throw new ArgumentException($"NdisCancelTimerObject: 0x{timerObject:X} is not a timer object the host allocated.", nameof(timerObject));
            return NdisApi.NdisCancelTimerObject(t) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisCancelTimerObject");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void FreeTimerObject(nint timerObject)
    {
        try
        {
            var t = NativeNdisObjects.TimerObject(timerObject) ?? throw new ArgumentException($"NdisFreeTimerObject: 0x{timerObject:X} is not a timer object the host allocated.", nameof(timerObject));
            NdisApi.NdisFreeTimerObject(t);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisFreeTimerObject");
        }
    }
}
