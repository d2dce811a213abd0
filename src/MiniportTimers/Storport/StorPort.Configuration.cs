namespace MiniportTimers.Storport;

public static partial class StorPort
{
    /// <summary>STATE_CHANGE_LUN (0x1): a LUN's state changed.</summary>
    public const uint STATE_CHANGE_LUN = 0x1;

    /// <summary>STATE_CHANGE_TARGET (0x2): a target's state changed.</summary>
    public const uint STATE_CHANGE_TARGET = 0x2;

    /// <summary>STATE_CHANGE_BUS (0x4): a bus or port's state changed.</summary>
    public const uint STATE_CHANGE_BUS = 0x4;

    /// <summary>
    /// Queries or sets the adapter's performance options (nf-storport-storportinitializeperfopts). Only
    /// STOR_PERF_CONCURRENT_CHANNELS changes timer-relevant behaviour: with ConcurrentChannels &gt; 1 HwStorStartIo no
    /// longer runs under the StartIo lock, while timer callbacks still do (semantics §1.5). The query answers
    /// STOR_PERF_DPC_REDIRECTION, STOR_PERF_CONCURRENT_CHANNELS, STOR_PERF_OPTIMIZE_FOR_COMPLETION_DURING_STARTIO and
    /// STOR_PERF_INTERRUPT_MESSAGE_RANGES, and from version 3 STOR_PERF_ADV_CONFIG_LOCALITY (as Windows 8's Storport);
    /// for a native miniport that sets the last two, the bridge fills PERF_CONFIGURATION_DATA.MessageTargets (every
    /// message targets processor 0: the emulated machine has one).
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="query">True: fill <paramref name="perfConfigData"/> with what is supported; false: apply it.</param>
    /// <param name="perfConfigData">The options.</param>
    /// <returns>STOR_STATUS_SUCCESS; STOR_STATUS_INVALID_PARAMETER for an unknown extension or null data; STOR_STATUS_UNSUPPORTED_VERSION below version 2.</returns>
    /// <remarks>IRQL: PASSIVE_LEVEL (HwStorFindAdapter).</remarks>
    public static uint StorPortInitializePerfOpts(object? hwDeviceExtension, bool query, PERF_CONFIGURATION_DATA? perfConfigData)
    {
        if (ResolveAdapter(hwDeviceExtension) is not { } adapter || perfConfigData is null)
        {
            return STOR_STATUS_INVALID_PARAMETER;
        }

        if (perfConfigData.Version < STOR_PERF_VERSION_2)
        {
            return STOR_STATUS_UNSUPPORTED_VERSION;
        }

        if (query)
        {
            perfConfigData.Flags = STOR_PERF_DPC_REDIRECTION | STOR_PERF_CONCURRENT_CHANNELS | STOR_PERF_OPTIMIZE_FOR_COMPLETION_DURING_STARTIO | STOR_PERF_INTERRUPT_MESSAGE_RANGES
                | (perfConfigData.Version >= STOR_PERF_VERSION_3 ? STOR_PERF_ADV_CONFIG_LOCALITY : 0);
            perfConfigData.ConcurrentChannels = (uint)Environment.ProcessorCount;
            return STOR_STATUS_SUCCESS;
        }

        adapter.SetPerfConfiguration(new PERF_CONFIGURATION_DATA
        {
            Version = perfConfigData.Version,
            Size = perfConfigData.Size,
            Flags = perfConfigData.Flags,
            ConcurrentChannels = perfConfigData.ConcurrentChannels,
        });
        return STOR_STATUS_SUCCESS;
    }

    /// <summary>
    /// Asks Storport to call <paramref name="hwPassiveInitializeRoutine"/> at PASSIVE_LEVEL once HwStorInitialize has
    /// returned (nf-storport-storportenablepassiveinitialization).
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="hwPassiveInitializeRoutine">The routine; FALSE from it fails the adapter's start.</param>
    /// <returns>TRUE when enabled; FALSE when not called from HwStorInitialize of that adapter.</returns>
    /// <remarks>IRQL: the device IRQL of HwStorInitialize. Thread-safe.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="hwPassiveInitializeRoutine"/> is null.</exception>
    public static bool StorPortEnablePassiveInitialization(object? hwDeviceExtension, HW_PASSIVE_INITIALIZE_ROUTINE hwPassiveInitializeRoutine)
    {
        ArgumentNullException.ThrowIfNull(hwPassiveInitializeRoutine);
        if (AdapterRegistry.Find(hwDeviceExtension) is not { } adapter
            || StorportRoutines.Current != MiniportRoutine.HwInitialize
            || !ReferenceEquals(StorportRoutines.CurrentAdapter, adapter))
        {
            return false;
        }

        adapter.PassiveInitializeRoutine = hwPassiveInitializeRoutine;
        return true;
    }

    /// <summary>
    /// Tells Storport that a LUN, target or bus changed state, so it re-enumerates (nf-storport-storportstatechangedetected).
    /// Only one notification is processed at a time: while the host re-enumerates
    /// (<see cref="StorportHostOptions.StateChangeProcessingMicroseconds"/>) another is refused.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="changedEntity">STATE_CHANGE_LUN | STATE_CHANGE_TARGET | STATE_CHANGE_BUS, at least one.</param>
    /// <param name="pathId">The bus (port) of the changed entity (STOR_ADDRESS reduced to its bus).</param>
    /// <param name="attributes">Attributes; unused.</param>
    /// <returns>STOR_STATUS_SUCCESS (scheduled); STOR_STATUS_INVALID_PARAMETER (unknown extension or entity);
    /// STOR_STATUS_UNSUCCESSFUL (a previous notification is still being processed: storahci retries from its
    /// BusChangeTimer on this status, real-drivers.md S1c).</returns>
    /// <remarks>
    /// IRQL: &lt;= DISPATCH_LEVEL. Thread-safe. A notification taken raises <see cref="StorportHost.RescanRequested"/>
    /// (the bus rescan Storport asks PnP for) on the engine's dispatcher once the caller has returned. The C bridge runs
    /// a HwStateChange completion callback once the notification is taken; the C# surface has none.
    /// </remarks>
    public static uint StorPortStateChangeDetected(object? hwDeviceExtension, uint changedEntity, byte pathId, uint attributes)
    {
        _ = attributes;
        if (ResolveAdapter(hwDeviceExtension) is not { } adapter || changedEntity == 0 || (changedEntity & ~(STATE_CHANGE_LUN | STATE_CHANGE_TARGET | STATE_CHANGE_BUS)) != 0)
        {
            return STOR_STATUS_INVALID_PARAMETER;
        }

        return adapter.StateChangeDetected(changedEntity, pathId);
    }

    /// <summary>The C bridge's StorPortStateChangeDetected: as the C# routine, and <paramref name="processed"/> (the HwStateChange) runs once the notification is processed.</summary>
    internal static uint StorPortStateChangeDetected(object? hwDeviceExtension, uint changedEntity, byte pathId, Action? processed)
    {
        if (ResolveAdapter(hwDeviceExtension) is not { } adapter || changedEntity == 0 || (changedEntity & ~(STATE_CHANGE_LUN | STATE_CHANGE_TARGET | STATE_CHANGE_BUS)) != 0)
        {
            return STOR_STATUS_INVALID_PARAMETER;
        }

        return adapter.StateChangeDetected(changedEntity, pathId, processed);
    }

    /// <summary>The header name of a STOR_STATUS value ("STOR_STATUS_BUSY"), or its hex form.</summary>
    public static string StorStatusName(uint status) => status switch
    {
        STOR_STATUS_SUCCESS => nameof(STOR_STATUS_SUCCESS),
        STOR_STATUS_UNSUCCESSFUL => nameof(STOR_STATUS_UNSUCCESSFUL),
        STOR_STATUS_NOT_IMPLEMENTED => nameof(STOR_STATUS_NOT_IMPLEMENTED),
        STOR_STATUS_INSUFFICIENT_RESOURCES => nameof(STOR_STATUS_INSUFFICIENT_RESOURCES),
        STOR_STATUS_BUFFER_TOO_SMALL => nameof(STOR_STATUS_BUFFER_TOO_SMALL),
        STOR_STATUS_ACCESS_DENIED => nameof(STOR_STATUS_ACCESS_DENIED),
        STOR_STATUS_INVALID_PARAMETER => nameof(STOR_STATUS_INVALID_PARAMETER),
        STOR_STATUS_INVALID_DEVICE_REQUEST => nameof(STOR_STATUS_INVALID_DEVICE_REQUEST),
        STOR_STATUS_INVALID_IRQL => nameof(STOR_STATUS_INVALID_IRQL),
        STOR_STATUS_INVALID_DEVICE_STATE => nameof(STOR_STATUS_INVALID_DEVICE_STATE),
        STOR_STATUS_INVALID_BUFFER_SIZE => nameof(STOR_STATUS_INVALID_BUFFER_SIZE),
        STOR_STATUS_UNSUPPORTED_VERSION => nameof(STOR_STATUS_UNSUPPORTED_VERSION),
        STOR_STATUS_BUSY => nameof(STOR_STATUS_BUSY),
        _ => $"0x{status:X8}",
    };
}
