using System.Collections.Concurrent;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// A native (C) NDIS 6 miniport on an <see cref="NdisHost"/>: <see cref="Load"/> loads its .so and runs its DriverEntry,
/// whose NdisMRegisterMiniportDriver registers its handlers with the host; then <see cref="NdisHost.AddAdapter()"/> runs
/// its MiniportInitializeEx as for a C# miniport, and pause, restart, reset and halt call its handlers. Its NDIS 5
/// timers and NDIS 6 timer objects are the host's: same semantics, verifier, report and trace.
/// </summary>
/// <remarks>
/// Emulated for native drivers: initialize, halt, pause, restart, reset, NDIS 6 OID requests, sends and receive
/// returns, MiniportCheckForHangEx every 2 s, MiniportDriverUnload at <see cref="Unload"/>, and every timer DDI. Not called:
/// MiniportCancelSend, MiniportCancelOidRequest, MiniportDevicePnPEventNotify, MiniportShutdownEx (docs/native.md).
/// Thread-safe.
/// </remarks>
public sealed unsafe class NativeNdisDriver : NativeDriver
{
    private static readonly ConcurrentDictionary<nint, NativeNdisDriver> ByToken = new();
    private static long s_nextToken;
    private readonly nint _token;

    private NativeNdisDriver(NdisHost host)
        : base(host.Options.RecentDebugPrints)
    {
        Host = host;
        _token = NewToken();
        ByToken[_token] = this;
    }

    private NativeNdisDriver(string path, NdisHost host)
        : base(path, host.Options.RecentDebugPrints)
    {
        Host = host;
        _token = NewToken();
        ByToken[_token] = this;
    }

    /// <summary>The host the driver registered with.</summary>
    public NdisHost Host { get; }

    /// <summary>What DriverEntry returned: NDIS_STATUS_SUCCESS (0), or another success status (a failure is a <see cref="NativeDriverException"/> from <see cref="Load"/>).</summary>
    public int DriverEntryStatus { get; private set; }

    /// <summary>
    /// Checks the driver at <paramref name="path"/> (<see cref="NativeDriver.Verify"/>), loads it with immediate binding,
    /// and runs its DriverEntry (PASSIVE_LEVEL).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="NativeDriverException">The file failed a check before loading (missing, unreadable, truncated,
    /// not an x86-64 ELF shared object, without the shim or DriverEntry, or needing a routine nothing defines), dlopen
    /// refused it, or DriverEntry raised a bug check or returned a failure status (named, e.g.
    /// "PATH: DriverEntry returned 0xC0000001 (STATUS_UNSUCCESSFUL)"; <see cref="NativeDriverException.DriverEntryStatus"/>).</exception>
    public static NativeNdisDriver Load(string path, NdisHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Start(new NativeNdisDriver(path, host));
    }

    /// <summary>
    /// The driver linked into this process (way (a): a C test program linking its driver, native/shim/mpt_shim.c and the
    /// NativeAOT library): runs its DriverEntry as <see cref="Load"/> does.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is null.</exception>
    /// <exception cref="NativeDriverException">The program was not linked with the shim (or without -rdynamic), or
    /// DriverEntry raised a bug check or returned a failure status (<see cref="NativeDriverException.DriverEntryStatus"/>).</exception>
    public static NativeNdisDriver LoadFromProcess(NdisHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Start(new NativeNdisDriver(host));
    }

    /// <summary>Runs DriverEntry; a driver whose DriverEntry failed is forgotten (its handles no longer name it).</summary>
    private static NativeNdisDriver Start(NativeNdisDriver driver)
    {
        try
        {
            driver.DriverEntryStatus = unchecked((int)driver.RunDriverEntry(driver._token));
            return driver;
        }
        catch (NativeDriverException)
        {
            ByToken.TryRemove(driver._token, out _);
            throw;
        }
    }

    /// <summary>
    /// The DriverObject the driver sees: a zero-filled DRIVER_OBJECT (native/include/wdm.h, 336 bytes), unique among the
    /// loaded drivers and kept until <see cref="Unload"/> returns (a driver may read it at any time, MiniportDriverUnload included).
    /// </summary>
    private static nint NewToken()
    {
        Interlocked.Increment(ref s_nextToken);
        return (nint)System.Runtime.InteropServices.NativeMemory.AllocZeroed(DriverObjectSize);
    }

    private const int DriverObjectSize = 336;

    private nint _unloadHandler;

    /// <summary>
    /// Calls the driver's MiniportDriverUnload (PASSIVE_LEVEL) once, if it registered one: after every adapter halted,
    /// as the I/O manager unloads a driver. A bug check there is reported, not thrown. Then the driver object is
    /// released, as Windows frees it: its DriverObject memory, and the process-wide entries that found it by its
    /// DriverObject and its NdisMiniportDriverHandle (issue 21 §4); the .so stays loaded for the next load.
    /// </summary>
    /// <returns>False when the routine raised a bug check.</returns>
    public bool Unload()
    {
        try
        {
            return CallUnloadHandler();
        }
        finally
        {
            ReleaseDriverObject();
        }
    }

    private int _released;

    /// <summary>Forgets the driver object process-wide and frees its DriverObject memory, once.</summary>
    private void ReleaseDriverObject()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        Host.AdapterReleased -= OnAdapterReleased;
        ByToken.TryRemove(_token, out _);
        DriverHandles.TryRemove(_token + 8, out _);
        System.Runtime.InteropServices.NativeMemory.Free((void*)_token);
    }

    private bool CallUnloadHandler()
    {
        var routine = Interlocked.Exchange(ref _unloadHandler, 0);
        if (routine == 0)
        {
            return true;
        }

        // At PASSIVE_LEVEL in a kernel context, as DriverEntry: a bug check gives back what the host holds for the routine.
        var fault = MiniportTimers.Kernel.KernelContext.Run(MiniportTimers.Kernel.KIRQL.PASSIVE_LEVEL, (Driver: this, Routine: routine), static (in s) =>
            DdiGuard.Call(s.Driver, s.Driver.NameOf(s.Routine), (s.Routine, s.Driver._token), static (d, c, f) =>
            {
                d.Shim.CallTimer(c.Routine, c._token, f);
                return 0;
            }));
        if (fault is not null)
        {
            AddDebugOutput($"MiniportTimers: MiniportDriverUnload raised {fault.Message}");
            return false;
        }

        return true;
    }

    /// <summary>Driver objects whose token NdisMRegisterMiniportDriver can still find.</summary>
    internal static int TokenCount => ByToken.Count;

    /// <summary>NdisMiniportDriverHandles the C code may still pass.</summary>
    internal static int DriverHandleCount => DriverHandles.Count;

    internal static NativeNdisDriver? FromToken(nint token) => ByToken.TryGetValue(token, out var d) ? d : null;

    /// <summary>NdisMRegisterMiniportDriver from DriverEntry: the handlers become the host's, each a trampoline into C.</summary>
    internal int Register(NativeMiniportCharacteristics* characteristics, nint driverContext, nint* driverHandle)
    {
        if (characteristics is null)
        {
            return unchecked((int)NdisApi.NDIS_STATUS_BAD_CHARACTERISTICS);
        }

        var c = *characteristics;
        _unloadHandler = c.UnloadHandler;
        var managed = new NDIS_MINIPORT_DRIVER_CHARACTERISTICS
        {
            InitializeHandlerEx = c.InitializeHandlerEx == 0 ? null : (adapter, context) => Initialize(c.InitializeHandlerEx, adapter, context),
            HaltHandlerEx = c.HaltHandlerEx == 0 ? null : context => Halt(c.HaltHandlerEx, Context(context)),
            PauseHandler = c.PauseHandler == 0 ? null : context => WithParameters(c.PauseHandler, Context(context), NativeParameters.Pause),
            RestartHandler = c.RestartHandler == 0 ? null : context => WithParameters(c.RestartHandler, Context(context), NativeParameters.Restart),
            OidRequestHandler = c.OidRequestHandler == 0 ? null : (context, request) => OidRequest(c.OidRequestHandler, Context(context), request),
            SendNetBufferListsHandler = c.SendNetBufferListsHandler == 0 ? null : (context, nbl) => Send(c.SendNetBufferListsHandler, Context(context), nbl),
            ReturnNetBufferListsHandler = c.ReturnNetBufferListsHandler == 0 ? null : (context, nbls, flags) => Return(c.ReturnNetBufferListsHandler, Context(context), nbls, flags),
            CheckForHangHandlerEx = c.CheckForHangHandlerEx == 0 ? null : context =>
                DdiGuard.Call(this, NameOf(c.CheckForHangHandlerEx), (c.CheckForHangHandlerEx, Context(context)), static (d, s, f) => d.Shim.CallBoolean(s.CheckForHangHandlerEx, s.Item2, f)) != 0,
            ResetHandlerEx = c.ResetHandlerEx == 0 ? null : (object context, out bool addressingReset) =>
            {
                byte reset = 0;
                var status = Status2(c.ResetHandlerEx, Context(context), (nint)(&reset));
                addressingReset = reset != 0;
                return status;
            },
        };
        var status = Host.NdisMRegisterMiniportDriver(managed, NativeCallback.Boxed(driverContext), out var handle);
        if (handle is not null && driverHandle is not null)
        {
            var value = _token + 8; // the NdisMiniportDriverHandle as the C code sees it
            DriverHandles[value] = handle;
            *driverHandle = value;
        }

        return unchecked((int)status);
    }

    /// <summary>The host object an NDIS_HANDLE names: a driver handle or an adapter handle (null when it is neither).</summary>
    internal static object? Handle(nint value) =>
        (object?)NativeNdisObjects.Adapter(value) ?? (DriverHandles.TryGetValue(value, out var d) ? d : null);

    private static readonly ConcurrentDictionary<nint, NdisDriverHandle> DriverHandles = new();

    /// <summary>The MiniportAdapterContext as C sees it: what NdisMSetMiniportAttributes registered, else the adapter's handle.</summary>
    private static nint Context(object context) => context switch
    {
        nint n => n,
        NdisMiniportAdapter adapter => NativeNdisObjects.AdapterHandle(adapter),
        _ => 0,
    };

    private uint Status2(nint routine, nint a, nint b) =>
        unchecked((uint)DdiGuard.Call(this, NameOf(routine), (routine, a, b), static (d, s, f) => d.Shim.CallStatus2(s.routine, s.a, s.b, f)));

    private uint Status3(nint routine, nint a, nint b, nint c) =>
        unchecked((uint)DdiGuard.Call(this, NameOf(routine), (routine, a, b, c), static (d, s, f) => d.Shim.CallStatus3(s.routine, s.a, s.b, s.c, f)));

    private uint Initialize(nint routine, NdisMiniportAdapter adapter, object? driverContext)
    {
        if (Interlocked.Exchange(ref _listening, 1) == 0)
        {
            Host.AdapterReleased += OnAdapterReleased;
        }

        var parameters = NativeParameters.Initialize();
        try
        {
            return Status3(routine, NativeNdisObjects.AdapterHandle(adapter), NativeCallback.Pointer(driverContext), parameters);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free((void*)parameters);
        }
    }

    private uint WithParameters(nint routine, nint context, Func<nint> parameters)
    {
        var p = parameters();
        try
        {
            return Status2(routine, context, p);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free((void*)p);
        }
    }

    /// <summary>MiniportOidRequest on a C copy of <paramref name="request"/>; the answer is copied back when it completes.</summary>
    private uint OidRequest(nint routine, nint context, NDIS_OID_REQUEST request)
    {
        var native = new NativeOidRequest(request, MiniportTimers.Hosting.Routines.CurrentRoutine.Adapter as NdisMiniportAdapter);
        NdisDataExports.PendingRequests[native.Address] = native; // before the call: the miniport may complete it from inside
        var status = Status2(routine, context, native.Address);
        if (status != NdisApi.NDIS_STATUS_PENDING && NdisDataExports.PendingRequests.TryRemove(native.Address, out _))
        {
            native.CopyBackAndFree();
        }

        return status;
    }

    /// <summary>MiniportSendNetBufferLists with a C NBL over a copy of the frame; NdisMSendNetBufferListsComplete finds it again.</summary>
    private void Send(nint routine, nint context, NET_BUFFER_LIST nbl)
    {
        nint native;
        fixed (byte* frame = nbl.Data.Span)
        {
            native = Shim.AllocateSendNetBufferList(frame, (uint)nbl.Data.Length, (nint)nbl.Tag);
        }

        if (native == 0)
        {
            throw new NativeDriverException("MptAllocateSendNetBufferList: out of memory for a send.");
        }

        NdisDataExports.SendsInFlight[native] = (nbl, this, MiniportTimers.Hosting.Routines.CurrentRoutine.Adapter as NdisMiniportAdapter);
        DdiGuard.Call(this, NameOf(routine), (routine, context, native), static (d, s, f) =>
        {
            d.Shim.CallSendNetBufferLists(s.routine, s.context, s.native, 0, NdisApi.NDIS_SEND_FLAGS_DISPATCH_LEVEL, f);
            return 0;
        });
    }

    /// <summary>MiniportReturnNetBufferLists with the C NBLs the miniport indicated, chained again in the order they came.</summary>
    private void Return(nint routine, nint context, NET_BUFFER_LIST first, uint flags)
    {
        for (var nbl = first; nbl is not null; nbl = nbl.Next)
        {
            NativeNblLayout.SetNext((nint)nbl.Tag, nbl.Next is { } next ? (nint)next.Tag : 0);
        }

        DdiGuard.Call(this, NameOf(routine), (routine, context, native: (nint)first.Tag, flags), static (d, s, f) =>
        {
            d.Shim.CallReturnNetBufferLists(s.routine, s.context, s.native, s.flags, f);
            return 0;
        });
    }

    private int _listening;

    /// <summary>
    /// An adapter of the host was halted (or its MiniportInitializeEx failed): its handle is freed, so a later NdisM*
    /// call with it gets the clear "already halted" error, what it left outstanding is dropped, and the KTIMERs and KDPCs
    /// its routines initialized in the driver's memory no longer keep it alive (issue 21 §4).
    /// </summary>
    private void OnAdapterReleased(MiniportTimers.Hosting.HostedAdapter adapter)
    {
        if (adapter is NdisMiniportAdapter ndisAdapter)
        {
            NativeNdisObjects.RemoveAdapter(ndisAdapter);
            NdisDataExports.ForgetAdapter(ndisAdapter);
            NdisHardwareExports.ForgetAdapter(ndisAdapter);
            NativeAdapterRelease.UnbindStorage(this, adapter);
        }
    }

    private void Halt(nint routine, nint context) =>
        DdiGuard.Call(this, NameOf(routine), (routine, context), static (d, s, f) =>
        {
            d.Shim.CallHalt(s.routine, s.context, 0 /* NdisHaltDeviceDisabled */, f);
            return 0;
        });
}
