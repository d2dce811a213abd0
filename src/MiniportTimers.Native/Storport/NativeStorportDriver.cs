using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Native.Interop;
using MiniportTimers.Storport;

namespace MiniportTimers.Native.Storport;

/// <summary>
/// A native (C) Storport miniport on a <see cref="StorportHost"/>: <see cref="Load"/> loads its .so, runs its
/// DriverEntry, whose StorPortInitialize registers its HW_INITIALIZATION_DATA with the host; then
/// <see cref="StorportHost.AddAdapter"/> runs its HwStorFindAdapter and HwStorInitialize as for a C# miniport. Its
/// timers, DPCs, locks and bug checks are the host's: same semantics, verifier, report and trace.
/// </summary>
/// <remarks>
/// Each adapter's device extension is native memory of DeviceExtensionSize bytes (<see cref="NativeDeviceExtension"/>).
/// A request handed to HwStorStartIo is copied into a native SCSI_REQUEST_BLOCK; its completion copies SrbStatus back.
/// Dispose frees the native memory once the host is done with the adapters. Thread-safe.
/// </remarks>
public sealed unsafe class NativeStorportDriver : NativeDriver, IDisposable
{
    private static readonly ConcurrentDictionary<nint, NativeStorportDriver> ByToken = new();
    private static readonly ConcurrentDictionary<nint, (NativeStorportRequest Native, NativeStorportDriver Driver, object Extension)> Requests = new();
    private static long s_nextToken;

    private readonly ConcurrentDictionary<nint, NativeDeviceExtension> _extensions = new();
    private readonly nint _token;
    private NativeHwInitializationData _data;

    private NativeStorportDriver(StorportHost host)
        : base(host.Options.RecentDebugPrints)
    {
        Host = host;
        _token = NewToken();
        ByToken[_token] = this;
    }

    private NativeStorportDriver(string path, StorportHost host)
        : base(path, host.Options.RecentDebugPrints)
    {
        Host = host;
        _token = NewToken();
        ByToken[_token] = this;
    }

    /// <summary>The host the driver registered with.</summary>
    public StorportHost Host { get; }

    /// <summary>What DriverEntry returned: STATUS_SUCCESS (0) when StorPortInitialize accepted the miniport, or another success status (a failure is a <see cref="NativeDriverException"/> from <see cref="Load"/>).</summary>
    public uint DriverEntryStatus { get; private set; }

    /// <summary>
    /// Checks the driver at <paramref name="path"/> (<see cref="NativeDriver.Verify"/>), loads it with immediate binding,
    /// and runs its DriverEntry (PASSIVE_LEVEL): its StorPortInitialize registers the miniport with <paramref name="host"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="NativeDriverException">The file failed a check before loading (missing, unreadable, truncated,
    /// not an x86-64 ELF shared object, without the shim or DriverEntry, or needing a routine nothing defines), dlopen
    /// refused it, or DriverEntry raised a bug check or returned a failure status (named, e.g.
    /// "PATH: DriverEntry returned 0xC0000001 (STATUS_UNSUCCESSFUL)"; <see cref="NativeDriverException.DriverEntryStatus"/>).</exception>
    public static NativeStorportDriver Load(string path, StorportHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Start(new NativeStorportDriver(path, host));
    }

    /// <summary>
    /// Frees the native device extensions of the adapters still there (a removed adapter's was freed at its removal), and
    /// forgets the driver object. Call after the host removed the adapters; an adapter still there is abandoned first
    /// (its timers cancelled, its interrupt disconnected, no routine of the driver called: StorportAdapter.AbandonAtUnload),
    /// and the callbacks already dispatched return, so no C routine runs on the freed memory.
    /// </summary>
    public void Dispose()
    {
        Host.AdapterReleased -= OnAdapterReleased;
        foreach (var address in _extensions.Keys)
        {
            if (_extensions.TryRemove(address, out var extension))
            {
                var adapter = MiniportTimers.Storport.AdapterRegistry.Find(extension);
                adapter?.AbandonAtUnload(); // never removed: its timers and interrupt must not reach the memory freed below
                Release(extension, adapter, atRemoval: false);
            }
        }

        ByToken.TryRemove(_token, out _);
    }

    /// <summary>
    /// The driver linked into this process (way (a): a C test program linking its driver, native/shim/mpt_shim.c and the
    /// NativeAOT library): runs its DriverEntry as <see cref="Load"/> does.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is null.</exception>
    /// <exception cref="NativeDriverException">The program was not linked with the shim (or without -rdynamic), or
    /// DriverEntry raised a bug check or returned a failure status (<see cref="NativeDriverException.DriverEntryStatus"/>).</exception>
    public static NativeStorportDriver LoadFromProcess(StorportHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Start(new NativeStorportDriver(host));
    }

    /// <summary>Runs DriverEntry; a driver whose DriverEntry failed is disposed (its token no longer names it).</summary>
    private static NativeStorportDriver Start(NativeStorportDriver driver)
    {
        try
        {
            driver.DriverEntryStatus = driver.RunDriverEntry(driver._token);
            return driver;
        }
        catch (NativeDriverException)
        {
            driver.Dispose();
            throw;
        }
    }

    /// <summary>A DriverObject value the driver sees (unique in the process).</summary>
    private static nint NewToken() => (nint)(0x4452_0000_0000 + (Interlocked.Increment(ref s_nextToken) * 16));

    /// <summary>Driver objects whose token StorPortInitialize can still find.</summary>
    internal static int TokenCount => ByToken.Count;

    /// <summary>Native SCSI_REQUEST_BLOCKs handed to HwStorStartIo and not yet completed.</summary>
    internal static int RequestCount => Requests.Count;

    internal static NativeStorportDriver? FromToken(nint token) => ByToken.TryGetValue(token, out var d) ? d : null;

    /// <summary>StorPortInitialize from DriverEntry: registers the miniport's routines with the host.</summary>
    internal uint Initialize(NativeHwInitializationData* data, nint hwContext)
    {
        if (data is null)
        {
            return 0xC000000D; // STATUS_INVALID_PARAMETER
        }

        _data = *data;
        var d = _data;
        var required = new[] { d.HwFindAdapter, d.HwInitialize, d.HwStartIo, d.HwInterrupt, d.HwAdapterControl };
        var managed = new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = required.All(r => r != 0) ? NewExtension : null,
            HwFindAdapter = d.HwFindAdapter == 0 ? null : FindAdapter,
            HwInitialize = d.HwInitialize == 0 ? null : NativeObjects.Callback(this, d.HwInitialize).Boolean,
            HwStartIo = d.HwStartIo == 0 ? null : StartIo,
            HwInterrupt = d.HwInterrupt == 0 ? null : NativeObjects.Callback(this, d.HwInterrupt).Boolean,
            HwAdapterControl = d.HwAdapterControl == 0 ? null : AdapterControl,
            HwBuildIo = d.HwBuildIo == 0 ? null : BuildIo,
            HwUnitControl = d.HwUnitControl == 0 ? null : UnitControl,
        };
        return Host.StorPortInitialize(managed, NativeCallback.Boxed(hwContext));
    }

    /// <summary>StorPortNotification(RequestComplete) from C: the native request's status goes back to the host's request.</summary>
    internal static void Complete(object? extension, nint nativeSrb)
    {
        if (!Requests.TryRemove(nativeSrb, out var request))
        {
            throw BugCheck.Create(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, BugCheckCodes.STATUS_ACCESS_VIOLATION, (ulong)nativeSrb, 0, 0, "StorPortNotification(RequestComplete): the SRB is not a request the host handed to the miniport");
        }

        request.Native.CopyResults();
        StorPort.StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestComplete, extension, request.Native.Request); // frees the native request (PortContext)
    }

    /// <summary>
    /// StorPortCompleteRequest: every request the host handed to the miniport on <paramref name="extension"/>'s adapter at
    /// that address (0xFF, SP_UNTAGGED, matches any path, target or LUN) completes with <paramref name="srbStatus"/>.
    /// </summary>
    internal static void CompleteAll(object? extension, byte pathId, byte targetId, byte lun, byte srbStatus)
    {
        foreach (var (srb, entry) in Requests)
        {
            var r = entry.Native.Request;
            if (ReferenceEquals(entry.Extension, extension) && (pathId == 0xFF || r.PathId == pathId) && (targetId == 0xFF || r.TargetId == targetId) && (lun == 0xFF || r.Lun == lun))
            {
                entry.Native.SetSrbStatus(srbStatus);
                Complete(extension, srb);
            }
        }
    }

    /// <summary>The host's request of a native SRB the host built and the miniport has not completed (for the DDIs that take an SRB); null otherwise.</summary>
    internal static NativeStorportRequest? Request(nint nativeSrb) => nativeSrb != 0 && Requests.TryGetValue(nativeSrb, out var r) ? r.Native : null;

    private NativeDeviceExtension NewExtension()
    {
        if (Interlocked.Exchange(ref _listening, 1) == 0)
        {
            Host.AdapterReleased += OnAdapterReleased;
        }

        var extension = new NativeDeviceExtension(_data.DeviceExtensionSize);
        _extensions[extension.Address] = extension;
        return extension;
    }

    private int _listening;

    /// <summary>
    /// An adapter of the host was removed (or failed and was removed): Windows frees its device extension, and so does
    /// the bridge, with everything that stood for storage in it (issue 21 §4).
    /// </summary>
    private void OnAdapterReleased(MiniportTimers.Hosting.HostedAdapter adapter)
    {
        if (adapter is StorportAdapter { DeviceExtension: NativeDeviceExtension extension } storportAdapter && _extensions.TryRemove(extension.Address, out _))
        {
            Release(extension, storportAdapter, atRemoval: true);
            NativeAdapterRelease.UnbindStorage(this, adapter);
        }
    }

    /// <summary>
    /// Frees <paramref name="extension"/> and what the bridge kept for it and its adapter: the adapter's timer handles,
    /// STOR_DPCs and requests never completed; the KTIMERs, KDPCs and KSPIN_LOCKs in its memory. A KTIMER or KDPC still
    /// queued there is cancelled first, so no C routine runs on the freed memory; at removal it is also reported as a
    /// timer still queued when the adapter was removed (TIMER_OR_DPC_INVALID with the verifier, a finding without),
    /// as for the adapter's own timers. On a real clock the memory is freed only after the callbacks already dispatched
    /// have returned (<see cref="MiniportTimers.Engine.TimerEngine.FlushDispatched"/>).
    /// </summary>
    private void Release(NativeDeviceExtension extension, StorportAdapter? adapter, bool atRemoval)
    {
        var (start, length) = (extension.Address, (nuint)Math.Max(extension.Size, 1u));
        foreach (var request in Requests)
        {
            if (ReferenceEquals(request.Value.Extension, extension) && Requests.TryRemove(request.Key, out _))
            {
                request.Value.Native.Dispose(); // never completed: the adapter is gone
            }
        }

        if (adapter is not null)
        {
            NativeObjects.ForgetAdapter(adapter, start, length);
            if (NativeAdapterResources.Release(adapter) is { } leaked && atRemoval)
            {
                // Driver Verifier reports pool a driver leaves allocated when it is unloaded; here, when its adapter is removed.
                Host.Diagnostics.Add(new MiniportTimers.Diagnostics.VerifierFinding(adapter.Name, "PoolNotFreed", $"Still allocated when the adapter was removed (the host freed it): {leaked}."));
            }
        }

        foreach (var hostObject in RemoveStorage(start, length))
        {
            var (queued, kind, rule) = hostObject switch
            {
                KTIMER timer => (timer.Cancel(), "KTIMER", Misuses.TimerQueuedAtRemoval),
                KDPC dpc => (dpc.Remove(), "KDPC", Misuses.DpcQueuedAtRemoval),
                _ => (false, string.Empty, Misuses.TimerQueuedAtRemoval),
            };
            if (queued && atRemoval && adapter is not null)
            {
                Host.TeardownMisuse(
                    adapter.Name,
                    "Removal",
                    rule,
                    $"a {kind} in the device extension was still queued when the adapter was removed",
                    $"A {kind} in the device extension was still queued when the adapter was removed; the host cancelled it.");
            }
        }

        MiniportTimers.Native.Kernel.NativeSpinLocks.RemoveRange(start, length);
        Host.Engine.FlushDispatched(); // a callback that started before the removal finishes before its memory goes (real clock; at once on a virtual one or a dispatch thread)
        extension.Free();
    }

    private uint FindAdapter(object deviceExtension, object? hwContext, object? busInformation, string? argumentString, PORT_CONFIGURATION_INFORMATION configInfo, out bool reserved3)
    {
        reserved3 = false;
        var config = (NativePortConfiguration*)NativeMemory.AllocZeroed((nuint)sizeof(NativePortConfiguration));
        var ranges = configInfo.AccessRanges;
        var accessRanges = (NativeAccessRange*)NativeMemory.AllocZeroed((nuint)(sizeof(NativeAccessRange) * Math.Max(ranges.Count, 1)));
        var argument = argumentString is null ? 0 : Marshal.StringToCoTaskMemUTF8(argumentString);
        try
        {
            for (var i = 0; i < ranges.Count; i++)
            {
                accessRanges[i].RangeStart = ranges[i].RangeStart;
                accessRanges[i].RangeLength = ranges[i].RangeLength;
                accessRanges[i].RangeInMemory = ranges[i].RangeInMemory ? (byte)1 : (byte)0;
            }

            config->Length = (uint)sizeof(NativePortConfiguration);
            config->SystemIoBusNumber = configInfo.SystemIoBusNumber;
            config->AdapterInterfaceType = StorPort.PCIBus;
            config->BusInterruptLevel = configInfo.BusInterruptLevel;
            config->InterruptMode = 0; // LevelSensitive: a PCI line interrupt
            config->MaximumTransferLength = configInfo.MaximumTransferLength;
            config->NumberOfPhysicalBreaks = configInfo.NumberOfPhysicalBreaks;
            config->NumberOfAccessRanges = (uint)ranges.Count;
            config->AccessRanges = ranges.Count == 0 ? 0 : (nint)accessRanges;
            config->NumberOfBuses = configInfo.NumberOfBuses;
            config->SlotNumber = configInfo.SlotNumber;
            config->DeviceExtensionSize = _data.DeviceExtensionSize;
            config->SrbExtensionSize = _data.SrbExtensionSize;
            config->SynchronizationModel = (uint)configInfo.SynchronizationModel;
            config->DumpMode = configInfo.DumpMode ? (byte)1 : (byte)0;
            var result = DdiGuard.Call(this, NameOf(_data.HwFindAdapter), (_data.HwFindAdapter, NativeCallback.Address(deviceExtension), NativeCallback.Pointer(hwContext), argument, (nint)config), static (d, s, f) =>
                d.Shim.CallFindAdapter(s.HwFindAdapter, s.Item2, s.Item3, s.argument, s.Item5, f));
            configInfo.NumberOfBuses = config->NumberOfBuses;
            configInfo.SynchronizationModel = (STOR_SYNCHRONIZATION_MODEL)config->SynchronizationModel;
            configInfo.MaximumTransferLength = config->MaximumTransferLength;
            configInfo.NumberOfPhysicalBreaks = config->NumberOfPhysicalBreaks;
            configInfo.AlignmentMask = config->AlignmentMask;
            configInfo.SrbExtensionSize = config->SrbExtensionSize;
            configInfo.MaximumNumberOfTargets = config->MaximumNumberOfTargets;
            configInfo.MaximumNumberOfLogicalUnits = config->MaximumNumberOfLogicalUnits;
            configInfo.Dma64BitAddresses = config->Dma64BitAddresses != 0;
            configInfo.MaxNumberOfIO = config->MaxNumberOfIO;
            configInfo.HwMSInterruptRoutine = config->HwMSInterruptRoutine == 0 ? null : NativeObjects.Callback(this, config->HwMSInterruptRoutine).MessageSignaledInterrupt;
            return result;
        }
        finally
        {
            Marshal.FreeCoTaskMem(argument);
            NativeMemory.Free(accessRanges);
            NativeMemory.Free(config);
        }
    }

    /// <summary>The native request of <paramref name="srb"/>: built on first use (HwStorBuildIo, or HwStorStartIo without one), kept until completion.</summary>
    private NativeStorportRequest NativeRequest(object deviceExtension, SCSI_REQUEST_BLOCK srb)
    {
        if (srb.PortContext is NativeStorportRequest existing)
        {
            return existing;
        }

        var adapter = MiniportTimers.Storport.AdapterRegistry.Find(deviceExtension);
        var extended = (_data.SrbTypeFlags & NativeStorportRequest.SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK) != 0;
        var srbExtensionSize = adapter?.ConfigInfo.SrbExtensionSize is > 0 and var configured ? configured : _data.SrbExtensionSize;
        var pool = adapter is { Hardware: not null } ? NativeAdapterResources.For(adapter) : null;
        var native = NativeStorportRequest.Build(srb, extended, srbExtensionSize, pool, adapter?.SystemPortNumber ?? 0);
        srb.PortContext = native;
        Requests[native.Srb] = (native, this, deviceExtension);
        return native;
    }

    private bool BuildIo(object deviceExtension, SCSI_REQUEST_BLOCK srb)
    {
        var native = NativeRequest(deviceExtension, srb);
        return DdiGuard.Call(this, NameOf(_data.HwBuildIo), (_data.HwBuildIo, NativeCallback.Address(deviceExtension), native.Srb), static (d, s, f) =>
            d.Shim.CallStartIo(s.HwBuildIo, s.Item2, s.Item3, f)) != 0;
    }

    private bool StartIo(object deviceExtension, SCSI_REQUEST_BLOCK srb)
    {
        var native = NativeRequest(deviceExtension, srb);
        return DdiGuard.Call(this, NameOf(_data.HwStartIo), (_data.HwStartIo, NativeCallback.Address(deviceExtension), native.Srb), static (d, s, f) =>
            d.Shim.CallStartIo(s.HwStartIo, s.Item2, s.Item3, f)) != 0;
    }

    /// <summary>
    /// HwStorAdapterControl with its Parameters in native memory: ScsiQuerySupportedControlTypes gets a
    /// SCSI_SUPPORTED_CONTROL_TYPE_LIST (MaxControlType, then one BOOLEAN a type, all FALSE) whose answers go back to the
    /// host's list; ScsiPowerSettingNotification a STOR_POWER_SETTING_INFO whose Value points at a ULONG; the other types NULL.
    /// </summary>
    private uint AdapterControl(object deviceExtension, SCSI_ADAPTER_CONTROL_TYPE controlType, object? parameters)
    {
        var list = parameters as SCSI_SUPPORTED_CONTROL_TYPE_LIST;
        var size = list is null ? 64 : sizeof(uint) + list.MaxControlType;
        var block = (byte*)NativeMemory.AllocZeroed((nuint)size);
        try
        {
            nint native = 0;
            switch (controlType, parameters)
            {
                case (SCSI_ADAPTER_CONTROL_TYPE.ScsiQuerySupportedControlTypes, SCSI_SUPPORTED_CONTROL_TYPE_LIST query):
                    *(uint*)block = (uint)query.MaxControlType;
                    native = (nint)block;
                    break;
                case (SCSI_ADAPTER_CONTROL_TYPE.ScsiPowerSettingNotification, STOR_POWER_SETTING_INFO setting):
                    setting.PowerSettingGuid.TryWriteBytes(new Span<byte>(block, 16)); // GUID's Windows layout: Data1-3 little-endian, as Guid writes them
                    *(uint*)(block + 40) = setting.Value;
                    *(nint*)(block + 16) = (nint)(block + 40);
                    *(uint*)(block + 24) = sizeof(uint);
                    native = (nint)block;
                    break;
            }

            var status = DdiGuard.Call(this, NameOf(_data.HwAdapterControl), (_data.HwAdapterControl, NativeCallback.Address(deviceExtension), (uint)controlType, native), static (d, s, f) =>
                d.Shim.CallAdapterControl(s.HwAdapterControl, s.Item2, s.Item3, s.native, f));
            for (var i = 0; list is not null && i < list.MaxControlType; i++)
            {
                list.SupportedTypeList[i] = block[sizeof(uint) + i] != 0;
            }

            return status;
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }

    /// <summary>
    /// HwStorUnitControl with its Parameters in native memory: ScsiQuerySupportedUnitControlTypes a list of
    /// ScsiUnitControlMax (17) entries; ScsiUnitPoFxPowerInfo a STOR_POFX_UNIT_POWER_INFO and ScsiUnitPoFxPowerActive a
    /// STOR_POFX_ACTIVE_CONTEXT, each with a STOR_POWER_CONTROL_HEADER whose Address is the unit's STOR_ADDR_BTL8.
    /// </summary>
    private uint UnitControl(object deviceExtension, SCSI_UNIT_CONTROL_TYPE controlType, object? parameters)
    {
        const int ScsiUnitControlMax = 17;
        var block = (byte*)NativeMemory.AllocZeroed(64);
        try
        {
            var address = (NativeStorAddrBtl8*)(block + 32);
            address->Type = 1; // STOR_ADDRESS_TYPE_BTL8
            address->AddressLength = 4;
            switch (controlType, parameters)
            {
                case (SCSI_UNIT_CONTROL_TYPE.ScsiQuerySupportedUnitControlTypes, _):
                    *(uint*)block = ScsiUnitControlMax;
                    break;
                case (SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerInfo, STOR_POFX_UNIT_POWER_INFO info):
                    (address->Path, address->Target, address->Lun) = (info.PathId, info.TargetId, info.Lun);
                    *(uint*)block = 1; // Header.Version
                    *(uint*)(block + 4) = 24; // Header.Size
                    *(nint*)(block + 8) = (nint)address;
                    block[16] = info.IdlePowerEnabled ? (byte)1 : (byte)0;
                    break;
                case (SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive, STOR_POFX_ACTIVE_CONTEXT active):
                    (address->Path, address->Target, address->Lun) = (active.PathId, active.TargetId, active.Lun);
                    *(uint*)block = 1;
                    *(uint*)(block + 4) = 24;
                    *(nint*)(block + 8) = (nint)address;
                    *(uint*)(block + 16) = 0; // ComponentIndex
                    block[20] = active.Active ? (byte)1 : (byte)0;
                    break;
                default:
                    throw new ArgumentException($"HwStorUnitControl({controlType}): the host does not build its parameters for a native miniport.", nameof(controlType));
            }

            return DdiGuard.Call(this, NameOf(_data.HwUnitControl), (_data.HwUnitControl, NativeCallback.Address(deviceExtension), (uint)controlType, (nint)block), static (d, s, f) =>
                d.Shim.CallAdapterControl(s.HwUnitControl, s.Item2, s.Item3, s.Item4, f));
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }
}
