using System.Runtime.InteropServices;
using MiniportTimers.Diagnostics;
using MiniportTimers.Kernel;
using MiniportTimers.Native.Interop;
using MiniportTimers.Storport;

namespace MiniportTimers.Native.Storport;

// The Storport routines of a miniport that drives a device (storahci's data path, workers, power, registry): each turns
// the C arguments into the host's objects and calls the C# surface (StorPort.Hardware.cs and the rest) where one
// exists, so a C# and a C miniport share the semantics. What only C has (pool, DMA memory, workers by handle, registry
// values, power framework records) is here, per adapter (NativeAdapterResources).
internal static unsafe partial class StorportExports
{
    private static uint StorPortGetBusData(nint deviceExtension, uint busDataType, uint systemIoBusNumber, uint slotNumber, nint buffer, uint length)
    {
        if (buffer == 0 || length == 0)
        {
            return 0;
        }

        return StorPort.StorPortGetBusData(NativeObjects.Extension(deviceExtension), busDataType, systemIoBusNumber, slotNumber, new Span<byte>((void*)buffer, (int)Math.Min(length, 4096u)));
    }

    private static uint StorPortSetBusDataByOffset(nint deviceExtension, uint busDataType, uint systemIoBusNumber, uint slotNumber, nint buffer, uint offset, uint length)
    {
        if (buffer == 0 || length == 0)
        {
            return 0;
        }

        return StorPort.StorPortSetBusDataByOffset(NativeObjects.Extension(deviceExtension), busDataType, systemIoBusNumber, slotNumber, new ReadOnlySpan<byte>((void*)buffer, (int)Math.Min(length, 4096u)), offset);
    }

    private static nint StorPortGetDeviceBase(nint hwDeviceExtension, uint busType, uint systemIoBusNumber, long ioAddress, uint numberOfBytes, byte inIoSpace) =>
        StorPort.StorPortGetDeviceBase(NativeObjects.Extension(hwDeviceExtension), busType, systemIoBusNumber, (ulong)ioAddress, numberOfBytes, inIoSpace != 0);

    private static nint StorPortGetUncachedExtension(nint hwDeviceExtension, nint configInfo, uint numberOfBytes)
    {
        var extension = NativeObjects.Extension(hwDeviceExtension);
        var adapter = AdapterRegistry.Require(extension, nameof(StorPortGetUncachedExtension));
        return StorPort.StorPortGetUncachedExtension(extension, adapter.ConfigInfo, numberOfBytes);
    }

    private static long StorPortGetPhysicalAddress(nint hwDeviceExtension, nint srb, nint virtualAddress, nint length)
    {
        var physical = StorPort.StorPortGetPhysicalAddress(NativeObjects.Extension(hwDeviceExtension), NativeStorportDriver.Request(srb)?.Request, virtualAddress, out var contiguous);
        if (length != 0)
        {
            *(uint*)length = contiguous;
        }

        return (long)physical;
    }

    private static nint StorPortGetScatterGatherList(nint deviceExtension, nint srb)
    {
        if (NativeStorportDriver.Request(srb) is not { } request)
        {
            return 0; // not a request the host handed to the miniport (its own internal SRBs have no list either)
        }

        return request.ScatterGatherList(StorPort.StorPortGetScatterGatherList(NativeObjects.Extension(deviceExtension), request.Request));
    }

    private static uint StorPortReadRegisterUlong(nint hwDeviceExtension, nint register) => StorPort.StorPortReadRegisterUlong(NativeObjects.Extension(hwDeviceExtension), register);

    private static ushort StorPortReadRegisterUshort(nint hwDeviceExtension, nint register) => StorPort.StorPortReadRegisterUshort(NativeObjects.Extension(hwDeviceExtension), register);

    private static byte StorPortReadRegisterUchar(nint hwDeviceExtension, nint register) => StorPort.StorPortReadRegisterUchar(NativeObjects.Extension(hwDeviceExtension), register);

    private static void StorPortWriteRegisterUlong(nint hwDeviceExtension, nint register, uint value) => StorPort.StorPortWriteRegisterUlong(NativeObjects.Extension(hwDeviceExtension), register, value);

    private static void StorPortWriteRegisterUshort(nint hwDeviceExtension, nint register, ushort value) => StorPort.StorPortWriteRegisterUshort(NativeObjects.Extension(hwDeviceExtension), register, value);

    private static void StorPortWriteRegisterUchar(nint hwDeviceExtension, nint register, byte value) => StorPort.StorPortWriteRegisterUchar(NativeObjects.Extension(hwDeviceExtension), register, value);

    private static uint StorPortAllocatePool(nint hwDeviceExtension, uint numberOfBytes, uint tag, nint bufferPointer)
    {
        if (bufferPointer == 0)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        var adapter = Adapter(hwDeviceExtension, nameof(StorPortAllocatePool));
        *(nint*)bufferPointer = NativeAdapterResources.For(adapter).AllocatePool(numberOfBytes, tag);
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortFreePool(nint hwDeviceExtension, nint bufferPointer)
    {
        var adapter = Adapter(hwDeviceExtension, nameof(StorPortFreePool));
        return NativeAdapterResources.For(adapter).FreePool(bufferPointer) ? StorPort.STOR_STATUS_SUCCESS : StorPort.STOR_STATUS_INVALID_PARAMETER;
    }

    private static uint StorPortAllocateDmaMemory(nint hwDeviceExtension, nuint numberOfBytes, long lowestAcceptableAddress, long highestAcceptableAddress, long boundaryAddressMultiple, uint cacheType, uint preferredNode, nint bufferPointer, nint physicalAddress)
    {
        if (bufferPointer == 0 || numberOfBytes == 0 || numberOfBytes > int.MaxValue)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        var adapter = Adapter(hwDeviceExtension, nameof(StorPortAllocateDmaMemory));
        if (NativeAdapterResources.For(adapter).AllocateDma((long)numberOfBytes) is not { } block)
        {
            *(nint*)bufferPointer = 0;
            return StorPort.STOR_STATUS_INSUFFICIENT_RESOURCES;
        }

        // PHYSICAL_ADDRESS is a LONGLONG: the limits are read as the unsigned addresses they stand for (-1 is "any
        // address", as drivers pass it; a checked conversion of it was an OverflowException, a bug check in the driver).
        if (unchecked((ulong)highestAcceptableAddress) < block.Physical + numberOfBytes - 1 || unchecked((ulong)lowestAcceptableAddress) > block.Physical)
        {
            NativeAdapterResources.For(adapter).FreeDma(block.Host); // the map hands out addresses above 4 GiB: a 32-bit limit cannot be met
            *(nint*)bufferPointer = 0;
            return StorPort.STOR_STATUS_INSUFFICIENT_RESOURCES;
        }

        *(nint*)bufferPointer = block.Host;
        if (physicalAddress != 0)
        {
            *(ulong*)physicalAddress = block.Physical;
        }

        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortFreeDmaMemory(nint hwDeviceExtension, nint baseAddress, nuint numberOfBytes, uint cacheType, long physicalAddress)
    {
        var adapter = Adapter(hwDeviceExtension, nameof(StorPortFreeDmaMemory));
        return NativeAdapterResources.For(adapter).FreeDma(baseAddress) ? StorPort.STOR_STATUS_SUCCESS : StorPort.STOR_STATUS_INVALID_PARAMETER;
    }

    // StorPortAllocateContiguousMemorySpecifyCacheNode: StorPortAllocateDmaMemory without the physical address (one node
    // here, so PreferredNode changes nothing; the caller asks StorPortGetPhysicalAddress for the address).
    private static uint StorPortAllocateContiguousMemorySpecifyCacheNode(nint hwDeviceExtension, nuint numberOfBytes, long lowestAcceptableAddress, long highestAcceptableAddress, long boundaryAddressMultiple, uint cacheType, uint preferredNode, nint bufferPointer) =>
        StorPortAllocateDmaMemory(hwDeviceExtension, numberOfBytes, lowestAcceptableAddress, highestAcceptableAddress, boundaryAddressMultiple, cacheType, preferredNode, bufferPointer, 0);

    private static uint StorPortFreeContiguousMemorySpecifyCache(nint hwDeviceExtension, nint baseAddress, nuint numberOfBytes, uint cacheType)
    {
        var adapter = Adapter(hwDeviceExtension, nameof(StorPortFreeContiguousMemorySpecifyCache));
        return NativeAdapterResources.For(adapter).FreeDma(baseAddress) ? StorPort.STOR_STATUS_SUCCESS : StorPort.STOR_STATUS_INVALID_PARAMETER;
    }

    private static uint StorPortStateChangeDetected(nint hwDeviceExtension, uint changedEntity, nint address, uint attributes, nint hwStateChangeDetectedCallback, nint hwStateChangeDetectedContext)
    {
        var extension = NativeObjects.Extension(hwDeviceExtension);
        var path = address == 0 ? (byte)0 : ((NativeStorAddrBtl8*)address)->Path;
        Action? processed = null;
        if (hwStateChangeDetectedCallback != 0)
        {
            // HW_STATE_CHANGE(HwDeviceExtension, Context, AddressType, Address, Status), once the notification is processed.
            // The Address must stay valid until then (the documented rule); STOR_STATUS_SUCCESS as the status.
            var driver = Driver(nameof(StorPort.StorPortStateChangeDetected));
            processed = () => DdiGuard.Call(driver, driver.NameOf(hwStateChangeDetectedCallback), (hwStateChangeDetectedCallback, hwDeviceExtension, hwStateChangeDetectedContext, address), static (d, s, f) =>
            {
                d.Shim.CallVoid5(s.hwStateChangeDetectedCallback, s.hwDeviceExtension, s.hwStateChangeDetectedContext, 1 /* STOR_ADDRESS_TYPE_BTL8 */, s.address, 0 /* STOR_STATUS_SUCCESS */, f);
                return 0;
            });
        }

        return StorPort.StorPortStateChangeDetected(extension, changedEntity, path, processed);
    }

    private static uint StorPortInitializeWorker(nint hwDeviceExtension, nint worker)
    {
        if (worker == 0)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        var resources = NativeAdapterResources.For(Adapter(hwDeviceExtension, nameof(StorPortInitializeWorker)));
        var created = new NativeWorker();
        resources.Workers[created.Handle] = created;
        *(nint*)worker = created.Handle;
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortQueueWorkItem(nint hwDeviceExtension, nint workItemCallback, nint worker, nint context)
    {
        var adapter = Adapter(hwDeviceExtension, nameof(StorPortQueueWorkItem));
        if (workItemCallback == 0 || !NativeAdapterResources.For(adapter).Workers.TryGetValue(worker, out var queued))
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        if (Interlocked.CompareExchange(ref queued.Queued, 1, 0) != 0)
        {
            return StorPort.STOR_STATUS_BUSY;
        }

        var driver = Driver(nameof(StorPortQueueWorkItem));
        adapter.QueueWorkItem(() => Volatile.Write(ref queued.Queued, 0), () =>
            DdiGuard.Call(driver, driver.NameOf(workItemCallback), (workItemCallback, hwDeviceExtension, context, worker), static (d, s, f) =>
            {
                // HW_WORKITEM(HwDeviceExtension, Context, Worker)
                d.Shim.CallVoid5(s.workItemCallback, s.hwDeviceExtension, s.context, s.worker, 0, 0, f);
                return 0;
            }));
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortFreeWorker(nint hwDeviceExtension, nint worker)
    {
        var resources = NativeAdapterResources.For(Adapter(hwDeviceExtension, nameof(StorPortFreeWorker)));
        if (!resources.Workers.TryGetValue(worker, out var found))
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        if (Volatile.Read(ref found.Queued) != 0)
        {
            return StorPort.STOR_STATUS_BUSY;
        }

        resources.Workers.TryRemove(worker, out _);
        found.Dispose();
        return StorPort.STOR_STATUS_SUCCESS;
    }

    /// <summary>
    /// StorPortGetMSIInfo: the one message the host grants (message 0) when the miniport set HwMSInterruptRoutine in
    /// HwStorFindAdapter (<see cref="StorportAdapter.MessageSignaledInterruptGranted"/>): an x86 MSI address (FEE00000h,
    /// the local APIC's window), data = the vector, latched; STOR_STATUS_INVALID_PARAMETER for any other message (so a
    /// driver enumerating its messages counts one); STOR_STATUS_UNSUCCESSFUL with none granted (the line interrupt).
    /// </summary>
    private static uint StorPortGetMSIInfo(nint hwDeviceExtension, uint messageId, nint interruptInfo)
    {
        var adapter = Adapter(hwDeviceExtension, nameof(StorPortGetMSIInfo));
        if (!adapter.MessageSignaledInterruptGranted)
        {
            return StorPort.STOR_STATUS_UNSUCCESSFUL; // no message was granted: the line interrupt is used
        }

        if (messageId != 0 || interruptInfo == 0)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        const uint MsiVector = 0x80; // a device vector; MessageData carries it, as x86 MSI data does
        var info = (NativeMessageInterruptInformation*)interruptInfo;
        info->MessageId = 0;
        info->MessageData = MsiVector;
        info->MessageAddress = 0xFEE0_0000;
        info->InterruptVector = MsiVector;
        info->InterruptLevel = (uint)adapter.ConfigInfo.InterruptIrql;
        info->InterruptMode = 1; // Latched: a message is an edge
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortAcquireMSISpinLock(nint hwDeviceExtension, uint messageId, nint oldIrql) =>
        throw NotEmulated("StorPortAcquireMSISpinLock (no MSI message was granted: StorPortGetMSIInfo failed)");

    private static uint StorPortReleaseMSISpinLock(nint hwDeviceExtension, uint messageId, uint oldIrql) =>
        throw NotEmulated("StorPortReleaseMSISpinLock (no MSI message was granted: StorPortGetMSIInfo failed)");

    private static uint StorPortInitializePoFxPower(nint hwDeviceExtension, nint address, nint device, nint d3ColdEnabled)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortInitializePoFxPower));
        if (d3ColdEnabled != 0)
        {
            *(byte*)d3ColdEnabled = 0;
        }

        Record($"StorPortInitializePoFxPower: {(address == 0 ? "adapter" : "unit")} registered with the power framework (recorded; the device stays active, D3 cold disabled)");
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortPoFxActivateComponent(nint hwDeviceExtension, nint address, nint srb, uint component, uint flags)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortPoFxActivateComponent));
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortPoFxIdleComponent(nint hwDeviceExtension, nint address, nint srb, uint component, uint flags)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortPoFxIdleComponent));
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortGetD3ColdSupport(nint hwDeviceExtension, nint address, nint supported)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortGetD3ColdSupport));
        if (supported != 0)
        {
            *(byte*)supported = 0;
        }

        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortSetPowerSettingNotificationGuids(nint hwDeviceExtension, uint guidCount, nint guid)
    {
        var adapter = Adapter(hwDeviceExtension, nameof(StorPortSetPowerSettingNotificationGuids));
        if (guidCount == 0 || guid == 0 || guidCount > 64)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        var guids = Enumerable.Range(0, (int)guidCount).Select(i => new Guid(new ReadOnlySpan<byte>((void*)(guid + (16 * i)), 16))).ToArray();
        Record($"StorPortSetPowerSettingNotificationGuids: {string.Join(", ", guids)}");
        adapter.PowerSettingsRegistered(guids);
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortRegistryReadAdapterKey(nint hwDeviceExtension, nint subKeyName, nint valueName, uint valueType, nint valueData, nint valueDataLength)
    {
        var resources = NativeAdapterResources.For(Adapter(hwDeviceExtension, nameof(StorPortRegistryReadAdapterKey)));
        if (valueName == 0 || valueData == 0 || valueDataLength == 0)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        if (!resources.TryReadRegistry(RegistryKey(subKeyName, valueName), out _, out var data))
        {
            return StorPort.STOR_STATUS_UNSUCCESSFUL;
        }

        // The routine allocates the buffer when *ValueData is NULL, from the adapter's pool (StorPortFreePool frees it).
        var buffer = *(nint*)valueData;
        var capacity = *(uint*)valueDataLength;
        if (buffer == 0)
        {
            buffer = NativeAdapterResources.For(AdapterRegistry.Require(NativeObjects.Extension(hwDeviceExtension), nameof(StorPortRegistryReadAdapterKey))).AllocatePool((uint)data.Length, 0x4745_5252);
            *(nint*)valueData = buffer;
            capacity = (uint)data.Length;
        }

        *(uint*)valueDataLength = (uint)data.Length;
        if (capacity < data.Length)
        {
            return StorPort.STOR_STATUS_BUFFER_TOO_SMALL;
        }

        data.CopyTo(new Span<byte>((void*)buffer, data.Length));
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortRegistryWriteAdapterKey(nint hwDeviceExtension, nint subKeyName, nint valueName, uint valueType, nint valueData, uint valueDataLength)
    {
        var resources = NativeAdapterResources.For(Adapter(hwDeviceExtension, nameof(StorPortRegistryWriteAdapterKey)));
        if (valueName == 0 || (valueData == 0 && valueDataLength != 0))
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        resources.WriteRegistry(RegistryKey(subKeyName, valueName), valueType, new ReadOnlySpan<byte>((void*)valueData, (int)valueDataLength).ToArray());
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortInvokeAcpiMethod(nint hwDeviceExtension, nint address, uint methodName, nint inputBuffer, uint inputBufferLength, nint outputBuffer, uint outputBufferLength, nint bytesReturned)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortInvokeAcpiMethod));
        if (bytesReturned != 0)
        {
            *(uint*)bytesReturned = 0;
        }

        var name = string.Concat(Enumerable.Range(0, 4).Select(i => (char)((methodName >> (8 * i)) & 0xFF)));
        Record($"StorPortInvokeAcpiMethod({name}): no such method in the ACPI namespace (STOR_STATUS_UNSUCCESSFUL)");
        return StorPort.STOR_STATUS_UNSUCCESSFUL;
    }

    private static uint StorPortInitializePerfOpts(nint hwDeviceExtension, byte query, nint perfConfigData)
    {
        if (perfConfigData == 0)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        // PERF_CONFIGURATION_DATA: Version, Size, Flags, ConcurrentChannels, FirstRedirectionMessageNumber, LastRedirectionMessageNumber, DeviceNode, Reserved, MessageTargets, ...
        var native = (uint*)perfConfigData;
        var managed = new PERF_CONFIGURATION_DATA { Version = native[0], Size = native[1], Flags = native[2], ConcurrentChannels = native[3] };
        var status = StorPort.StorPortInitializePerfOpts(NativeObjects.Extension(hwDeviceExtension), query != 0, managed);
        if (query != 0 && status == StorPort.STOR_STATUS_SUCCESS)
        {
            native[2] = managed.Flags;
        }
        else if (status == StorPort.STOR_STATUS_SUCCESS)
        {
            FillMessageTargets(native);
        }

        return status;
    }

    /// <summary>
    /// StorPortInitializePerfOpts (set) with STOR_PERF_INTERRUPT_MESSAGE_RANGES and STOR_PERF_ADV_CONFIG_LOCALITY:
    /// Storport fills the miniport's MessageTargets array, one GROUP_AFFINITY per message from
    /// FirstRedirectionMessageNumber to LastRedirectionMessageNumber, with the processors the message interrupts on. The
    /// emulated machine has one group of one processor (KeQueryActiveProcessorCountEx, native/shim/mpt_ddis.c), so every
    /// message targets processor 0 of group 0: Mask 1. (OFA nvmewin reads the array back to map its MSI messages to
    /// cores; left unfilled, its zero mask sent it one entry past its core table, a heap overflow.) A range of more
    /// than 2,048 messages (MSI-X's limit) or a NULL array is left alone.
    /// </summary>
    private static void FillMessageTargets(uint* native)
    {
        const uint Wanted = StorPort.STOR_PERF_INTERRUPT_MESSAGE_RANGES | StorPort.STOR_PERF_ADV_CONFIG_LOCALITY;
        var (first, last, targets) = (native[4], native[5], *(nint*)(native + 8));
        if ((native[2] & Wanted) != Wanted || targets == 0 || last < first || last - first >= 2_048)
        {
            return;
        }

        for (var message = 0u; message <= last - first; message++)
        {
            var entry = (byte*)targets + (message * GroupAffinityBytes);
            new Span<byte>(entry, GroupAffinityBytes).Clear();
            *(nuint*)entry = 1; // KAFFINITY Mask: processor 0; USHORT Group 0; Reserved zero
        }
    }

    /// <summary>sizeof(GROUP_AFFINITY): KAFFINITY Mask, USHORT Group, USHORT Reserved[3] (wdm.h).</summary>
    private const int GroupAffinityBytes = 16;

    private static uint StorPortMarkDeviceFailed(nint hwDeviceExtension, nint address, uint flags, nint failReason)
    {
        var adapter = Adapter(hwDeviceExtension, nameof(StorPortMarkDeviceFailed));
        var reason = failReason == 0 ? "(no reason)" : Marshal.PtrToStringUni(failReason) ?? string.Empty;
        adapter.Host.Diagnostics.Add(new VerifierFinding(adapter.Name, "DeviceMarkedFailed", $"StorPortMarkDeviceFailed (flags 0x{flags:X}): {reason}"));
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortMarkDumpMemory(nint hwDeviceExtension, nint address, nuint length, uint flags)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortMarkDumpMemory));
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortQueryPerformanceCounter(nint hwDeviceExtension, nint performanceFrequency, nint performanceCounter)
    {
        var adapter = Adapter(hwDeviceExtension, nameof(StorPortQueryPerformanceCounter));
        if (performanceCounter == 0)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        if (performanceFrequency != 0)
        {
            *(long*)performanceFrequency = 10_000_000;
        }

        *(long*)performanceCounter = adapter.Host.Engine.NowNanoseconds / 100;
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortSetUnitAttributes(nint hwDeviceExtension, nint address, uint attributes)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortSetUnitAttributes));
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static byte StorPortSetDeviceQueueDepth(nint hwDeviceExtension, byte pathId, byte targetId, byte lun, uint depth)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortSetDeviceQueueDepth));
        return 1;
    }

    private static byte StorPortPauseDevice(nint hwDeviceExtension, byte pathId, byte targetId, byte lun, uint timeOut) =>
        StorPort.StorPortPause(NativeObjects.Extension(hwDeviceExtension), timeOut) ? (byte)1 : (byte)0;

    private static byte StorPortDeviceBusy(nint hwDeviceExtension, byte pathId, byte targetId, byte lun, uint requestsToComplete)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortDeviceBusy));
        return 1;
    }

    private static uint StorPortIsDeviceOperationAllowed(nint hwDeviceExtension, nint address, nint deviceOperation, nint allowedFlag)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortIsDeviceOperationAllowed));
        if (allowedFlag == 0)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        *(uint*)allowedFlag = 1; // every operation allowed
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortGetSystemPortNumber(nint hwDeviceExtension, nint address)
    {
        var adapter = Adapter(hwDeviceExtension, nameof(StorPortGetSystemPortNumber));
        if (address == 0)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        ((NativeStorAddrBtl8*)address)->Port = adapter.SystemPortNumber;
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortAsyncNotificationDetected(nint hwDeviceExtension, nint address, ulong flags)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortAsyncNotificationDetected));
        Record($"StorPortAsyncNotificationDetected: flags 0x{flags:X} (recorded)");
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortGetRequestInfo(nint hwDeviceExtension, nint srb, nint requestInfo)
    {
        // The request is found from the SRB, not the extension: storahci passes its channel extension here (hbastat.c),
        // which Windows accepts, so HwDeviceExtension is not checked.
        _ = hwDeviceExtension;
        if (requestInfo == 0)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        // STOR_REQUEST_INFO: Version, Size, PriorityHint, Flags, Key, Length, IsWriteRequest, Reserved: no priority, no flags.
        var version = ((uint*)requestInfo)[0];
        var size = ((uint*)requestInfo)[1];
        if (size < 8)
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        new Span<byte>((void*)(requestInfo + 8), (int)Math.Min(size - 8, 256u)).Clear();
        ((uint*)requestInfo)[0] = version;
        return StorPort.STOR_STATUS_SUCCESS;
    }

    private static uint StorPortReadPortUlong(nint hwDeviceExtension, nint port) => StorPort.StorPortReadPortUlong(NativeObjects.Extension(hwDeviceExtension), port);

    private static ushort StorPortReadPortUshort(nint hwDeviceExtension, nint port) => StorPort.StorPortReadPortUshort(NativeObjects.Extension(hwDeviceExtension), port);

    private static byte StorPortReadPortUchar(nint hwDeviceExtension, nint port) => StorPort.StorPortReadPortUchar(NativeObjects.Extension(hwDeviceExtension), port);

    private static void StorPortWritePortUlong(nint hwDeviceExtension, nint port, uint value) => StorPort.StorPortWritePortUlong(NativeObjects.Extension(hwDeviceExtension), port, value);

    private static void StorPortWritePortUshort(nint hwDeviceExtension, nint port, ushort value) => StorPort.StorPortWritePortUshort(NativeObjects.Extension(hwDeviceExtension), port, value);

    private static void StorPortWritePortUchar(nint hwDeviceExtension, nint port, byte value) => StorPort.StorPortWritePortUchar(NativeObjects.Extension(hwDeviceExtension), port, value);

    private static byte StorPortDeviceReady(nint hwDeviceExtension, byte pathId, byte targetId, byte lun) =>
        StorPort.StorPortResume(NativeObjects.Extension(hwDeviceExtension)) ? (byte)1 : (byte)0;

    private static byte StorPortResumeDevice(nint hwDeviceExtension, byte pathId, byte targetId, byte lun) =>
        StorPort.StorPortResume(NativeObjects.Extension(hwDeviceExtension)) ? (byte)1 : (byte)0;

    private static byte StorPortBusy(nint hwDeviceExtension, uint requestsToComplete)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortBusy));
        return 1;
    }

    private static byte StorPortReady(nint hwDeviceExtension)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortReady));
        return 1;
    }

    private static void StorPortCompleteRequest(nint hwDeviceExtension, byte pathId, byte targetId, byte lun, byte srbStatus)
    {
        var extension = NativeObjects.Extension(hwDeviceExtension);
        _ = Adapter(hwDeviceExtension, nameof(StorPortCompleteRequest));
        NativeStorportDriver.CompleteAll(extension, pathId, targetId, lun, srbStatus);
    }

    private static uint StorPortGetActivityIdSrb(nint hwDeviceExtension, nint srb, nint activityId)
    {
        _ = Adapter(hwDeviceExtension, nameof(StorPortGetActivityIdSrb));
        return StorPort.STOR_STATUS_UNSUCCESSFUL; // no request from above carries an ETW activity ID here
    }

    private static byte StorPortRegistryRead(nint hwDeviceExtension, nint valueName, uint global, uint type, nint buffer, nint bufferLength)
    {
        var resources = NativeAdapterResources.For(Adapter(hwDeviceExtension, nameof(StorPortRegistryRead)));
        if (valueName == 0 || bufferLength == 0 || !resources.TryReadRegistry(RegistryKey(0, valueName), out _, out var data))
        {
            return 0;
        }

        var capacity = *(uint*)bufferLength;
        *(uint*)bufferLength = (uint)data.Length;
        if (buffer == 0 || capacity < data.Length)
        {
            return 0;
        }

        data.CopyTo(new Span<byte>((void*)buffer, data.Length));
        return 1;
    }

    private static byte StorPortRegistryWrite(nint hwDeviceExtension, nint valueName, uint global, uint type, nint buffer, uint bufferLength)
    {
        var resources = NativeAdapterResources.For(Adapter(hwDeviceExtension, nameof(StorPortRegistryWrite)));
        if (valueName == 0 || (buffer == 0 && bufferLength != 0))
        {
            return 0;
        }

        resources.WriteRegistry(RegistryKey(0, valueName), type, new ReadOnlySpan<byte>((void*)buffer, (int)bufferLength).ToArray());
        return 1;
    }

    private static StorportAdapter Adapter(nint hwDeviceExtension, string routine) =>
        AdapterRegistry.Require(NativeObjects.Extension(hwDeviceExtension), routine);

    private static void Record(string line) => DdiGuard.CurrentDriver?.AddDebugOutput("[storport] " + line + "\n");

    private static string RegistryKey(nint subKeyName, nint valueName) =>
        (subKeyName == 0 ? string.Empty : Marshal.PtrToStringUTF8(subKeyName) + "\\") + Marshal.PtrToStringUTF8(valueName);

    private static BugCheckException NotEmulated(string routine) =>
        BugCheck.Create(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, 0xC0000002 /* STATUS_NOT_IMPLEMENTED */, 0, 0, 0, $"{routine}: not emulated");
}
