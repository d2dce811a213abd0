using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Storport;

/// <summary>The device extension of the test miniport: a log the test reads.</summary>
internal sealed class TestExtension
{
    public List<string> Log { get; } = [];
}

/// <summary>
/// A Storport host on a virtual clock with one minimal miniport whose routines the test supplies. Time moves only when
/// the test advances it.
/// </summary>
internal sealed class StorportTestBed
{
    public StorportTestBed(StorportHostOptions? options = null, STOR_SYNCHRONIZATION_MODEL model = STOR_SYNCHRONIZATION_MODEL.StorSynchronizeFullDuplex, PERF_CONFIGURATION_DATA? perf = null, int adapters = 1)
    {
        Engine = new VirtualTimerEngine();
        Host = new StorportHost(Engine, options);
        var status = Host.StorPortInitialize(new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = () => new TestExtension(),
            HwFindAdapter = (object ext, object? ctx, object? bus, string? args, PORT_CONFIGURATION_INFORMATION config, out bool again) =>
            {
                again = false;
                config.SynchronizationModel = model;
                if (perf is not null)
                {
                    StorPort.StorPortInitializePerfOpts(ext, false, perf);
                }

                return StorPort.SP_RETURN_FOUND;
            },
            HwInitialize = _ => true,
            HwStartIo = (ext, srb) =>
            {
                StartIo?.Invoke((TestExtension)ext, srb);
                return true;
            },
            HwInterrupt = ext =>
            {
                Interrupt?.Invoke((TestExtension)ext);
                return true;
            },
            HwAdapterControl = (ext, type, _) =>
            {
                AdapterControl?.Invoke((TestExtension)ext, type);
                return 0;
            },
        });
        Assert.Equal(0u, status);
        for (var i = 0; i < adapters; i++)
        {
            var adapter = Host.AddAdapter();
            Assert.Equal(AdapterState.Started, adapter.State);
            Created.Add(adapter);
        }
    }

    public VirtualTimerEngine Engine { get; }

    public StorportHost Host { get; }

    /// <summary>The adapters the bed created, in order (a removed one stays here; the host releases it).</summary>
    public List<StorportAdapter> Created { get; } = [];

    public StorportAdapter Adapter => Created[0];

    public TestExtension Ext => (TestExtension)Adapter.DeviceExtension;

    public Action<TestExtension, SCSI_REQUEST_BLOCK>? StartIo { get; set; }

    public Action<TestExtension>? Interrupt { get; set; }

    public Action<TestExtension, SCSI_ADAPTER_CONTROL_TYPE>? AdapterControl { get; set; }

    public long NowMicroseconds => Engine.NowNanoseconds / 1000;

    public void AdvanceMicroseconds(long microseconds) => Engine.AdvanceBy(microseconds * 1000);

    public StorPortTimerHandle NewTimer(StorportAdapter? adapter = null)
    {
        Assert.Equal(StorPort.STOR_STATUS_SUCCESS, StorPort.StorPortInitializeTimer((adapter ?? Adapter).DeviceExtension, out var handle));
        return handle!;
    }

    /// <summary>Runs <paramref name="action"/> at <paramref name="irql"/> on the test thread, then drops back (running deferred work).</summary>
    public static void AtIrql(KIRQL irql, Action action)
    {
        Ke.KeRaiseIrql(irql, out var old);
        try
        {
            action();
        }
        finally
        {
            Ke.KeLowerIrql(old);
        }
    }
}
