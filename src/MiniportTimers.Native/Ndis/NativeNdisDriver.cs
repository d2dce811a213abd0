using System.Collections.Concurrent;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// A native (C) NDIS 6 miniport on an <see cref="NdisHost"/>: <see cref="Load"/> loads its .so and runs its DriverEntry,
/// whose NdisMRegisterMiniportDriver registers its handlers with the host; then <see cref="NdisHost.AddAdapter"/> runs
/// its MiniportInitializeEx as for a C# miniport, and pause, restart, reset and halt call its handlers. Its NDIS 5
/// timers and NDIS 6 timer objects are the host's: same semantics, verifier, report and trace.
/// </summary>
/// <remarks>
/// Emulated for native drivers so far: initialize, halt, pause, restart, reset and the timer DDIs. OID requests and
/// sends (NET_BUFFER_LIST pools) are not yet (docs/native.md): a driver that needs them at load is refused loudly.
/// Thread-safe.
/// </remarks>
public sealed unsafe class NativeNdisDriver : NativeDriver
{
    private static readonly ConcurrentDictionary<nint, NativeNdisDriver> ByToken = new();
    private static long s_nextToken;
    private readonly nint _token;

    private NativeNdisDriver(NdisHost host)
        : base()
    {
        Host = host;
        _token = NewToken();
        ByToken[_token] = this;
    }

    private NativeNdisDriver(string path, NdisHost host)
        : base(path)
    {
        Host = host;
        _token = NewToken();
        ByToken[_token] = this;
    }

    /// <summary>The host the driver registered with.</summary>
    public NdisHost Host { get; }

    /// <summary>What DriverEntry returned (NDIS_STATUS_SUCCESS = 0 when the registration succeeded).</summary>
    public int DriverEntryStatus { get; private set; }

    /// <summary>Loads the driver at <paramref name="path"/> and runs its DriverEntry (PASSIVE_LEVEL).</summary>
    /// <exception cref="NativeDriverException">The file is missing, not a shared library, or not built with this repository's shim; or DriverEntry raised a bug check.</exception>
    public static NativeNdisDriver Load(string path, NdisHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var driver = new NativeNdisDriver(path, host);
        driver.DriverEntryStatus = (int)driver.RunDriverEntry(driver._token);
        return driver;
    }

    /// <summary>
    /// The driver linked into this process (way (a): a C test program linking its driver, native/shim/mpt_shim.c and the
    /// NativeAOT library): runs its DriverEntry as <see cref="Load"/> does.
    /// </summary>
    /// <exception cref="NativeDriverException">The program was not linked with the shim (or without -rdynamic), or DriverEntry raised a bug check.</exception>
    public static NativeNdisDriver LoadFromProcess(NdisHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var driver = new NativeNdisDriver(host);
        driver.DriverEntryStatus = (int)driver.RunDriverEntry(driver._token);
        return driver;
    }

    /// <summary>A DriverObject value the driver sees (unique in the process).</summary>
    private static nint NewToken() => (nint)(0x4E44_0000_0000 + (Interlocked.Increment(ref s_nextToken) * 16));

    internal static NativeNdisDriver? FromToken(nint token) => ByToken.TryGetValue(token, out var d) ? d : null;

    /// <summary>NdisMRegisterMiniportDriver from DriverEntry: the handlers become the host's, each a trampoline into C.</summary>
    internal int Register(NativeMiniportCharacteristics* characteristics, nint driverContext, nint* driverHandle)
    {
        if (characteristics is null)
        {
            return unchecked((int)NdisApi.NDIS_STATUS_BAD_CHARACTERISTICS);
        }

        var c = *characteristics;
        var managed = new NDIS_MINIPORT_DRIVER_CHARACTERISTICS
        {
            InitializeHandlerEx = c.InitializeHandlerEx == 0 ? null : (adapter, context) => Status3(c.InitializeHandlerEx, NativeNdisObjects.AdapterHandle(adapter), NativeCallback.Pointer(context), 0),
            HaltHandlerEx = c.HaltHandlerEx == 0 ? null : context => Halt(c.HaltHandlerEx, Context(context)),
            PauseHandler = c.PauseHandler == 0 ? null : context => Status2(c.PauseHandler, Context(context), 0),
            RestartHandler = c.RestartHandler == 0 ? null : context => Status2(c.RestartHandler, Context(context), 0),
            ResetHandlerEx = c.ResetHandlerEx == 0 ? null : (object context, out bool addressingReset) =>
            {
                byte reset = 0;
                var status = Status2(c.ResetHandlerEx, Context(context), (nint)(&reset));
                addressingReset = reset != 0;
                return status;
            },
        };
        if (c.OidRequestHandler != 0 || c.SendNetBufferListsHandler != 0)
        {
            AddDebugOutput("MiniportTimers: this driver's OidRequestHandler and SendNetBufferListsHandler are not called yet (docs/native.md)");
        }

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

    private void Halt(nint routine, nint context) =>
        DdiGuard.Call(this, NameOf(routine), (routine, context), static (d, s, f) =>
        {
            d.Shim.CallHalt(s.routine, s.context, 0 /* NdisHaltDeviceDisabled */, f);
            return 0;
        });
}
