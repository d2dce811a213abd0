using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;

namespace MiniportTimers.Tests.Ndis;

/// <summary>An NDIS host on a virtual clock with a minimal miniport whose handlers the test supplies.</summary>
internal sealed class NdisTestBed
{
    public NdisTestBed(int adapters = 1, TimerEngine? engine = null, NdisHostOptions? options = null)
    {
        Engine = engine ?? new VirtualTimerEngine();
        Host = new NdisHost(Engine, options);
        var status = Host.NdisMRegisterMiniportDriver(
            new NDIS_MINIPORT_DRIVER_CHARACTERISTICS
            {
                InitializeHandlerEx = (handle, _) =>
                {
                    NdisApi.NdisMSetMiniportAttributes(handle, new AdapterContext(handle));
                    Initialize?.Invoke(handle);
                    return NdisApi.NDIS_STATUS_SUCCESS;
                },
                HaltHandlerEx = ctx => Halt?.Invoke((AdapterContext)ctx),
                PauseHandler = ctx => Pause?.Invoke((AdapterContext)ctx) ?? NdisApi.NDIS_STATUS_SUCCESS,
                ResetHandlerEx = (object ctx, out bool addressingReset) =>
                {
                    addressingReset = false;
                    return Reset?.Invoke((AdapterContext)ctx) ?? NdisApi.NDIS_STATUS_SUCCESS;
                },
                OidRequestHandler = (ctx, request) => OidRequest?.Invoke((AdapterContext)ctx, request) ?? NdisApi.NDIS_STATUS_NOT_SUPPORTED,
                SendNetBufferListsHandler = (ctx, nbl) => Send?.Invoke((AdapterContext)ctx, nbl),
                ReturnNetBufferListsHandler = (ctx, nbls, flags) => Return?.Invoke((AdapterContext)ctx, nbls, flags),
                ISRHandler = (out bool recognized, out bool queue, object ctx) => (recognized, queue) = Isr?.Invoke((AdapterContext)ctx) ?? (false, false),
                HandleInterruptHandler = ctx => InterruptEvents.Add($"handle at {Ke.KeGetCurrentIrql().IrqlName()}"),
                DisableInterruptHandler = ctx => InterruptEvents.Add($"disable at {Ke.KeGetCurrentIrql().IrqlName()}"),
                EnableInterruptHandler = ctx => InterruptEvents.Add($"enable at {Ke.KeGetCurrentIrql().IrqlName()}"),
            },
            null,
            out var driver);
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, status);
        Driver = driver!;
        for (var i = 0; i < adapters; i++)
        {
            var adapter = Host.AddAdapter();
            Assert.Equal(NdisAdapterState.Running, adapter.State);
            Created.Add(adapter);
        }
    }

    public TimerEngine Engine { get; }

    public VirtualTimerEngine Virtual => (VirtualTimerEngine)Engine;

    public NdisHost Host { get; }

    public NdisDriverHandle Driver { get; }

    /// <summary>The adapters the bed created, in order (a halted one stays here; the host releases it).</summary>
    public List<NdisMiniportAdapter> Created { get; } = [];

    public NdisMiniportAdapter Adapter => Created[0];

    public Action<NdisMiniportAdapter>? Initialize { get; set; }

    public Action<AdapterContext>? Halt { get; set; }

    public Func<AdapterContext, uint>? Pause { get; set; }

    public Func<AdapterContext, uint>? Reset { get; set; }

    public Func<AdapterContext, NDIS_OID_REQUEST, uint>? OidRequest { get; set; }

    public Action<AdapterContext, NET_BUFFER_LIST>? Send { get; set; }

    public Action<AdapterContext, NET_BUFFER_LIST, uint>? Return { get; set; }

    /// <summary>MiniportISR (NDIS 5): (recognized, queue MiniportHandleInterrupt).</summary>
    public Func<AdapterContext, (bool, bool)>? Isr { get; set; }

    /// <summary>What the NDIS 5 interrupt handlers saw, in order, with their IRQL.</summary>
    public List<string> InterruptEvents { get; } = [];

    public long NowMs => Engine.NowNanoseconds / TimeUnits.NanosecondsPerMillisecond;

    public void AdvanceMs(long ms) => Virtual.AdvanceBy(ms * TimeUnits.NanosecondsPerMillisecond);

    public NdisTimerObject NewTimerObject(NDIS_TIMER_FUNCTION function, object? defaultContext = null, object? handle = null)
    {
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, NdisApi.NdisAllocateTimerObject(handle ?? Adapter, NDIS_TIMER_CHARACTERISTICS.For(function, defaultContext), out var timer));
        return timer!;
    }

    /// <summary>The MiniportAdapterContext of the test miniport.</summary>
    internal sealed record AdapterContext(NdisMiniportAdapter Handle);
}
