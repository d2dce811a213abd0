using MiniportTimers.Devices.Nvme;
using MiniportTimers.Devices.Pci;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// <c>--device nvme</c> (issue 24): an emulated NVMe 1.3 controller (docs/devices.md, "The NVMe controller") with one
/// namespace of <see cref="StorportScenarioOptions.NvmeNamespaceBlocks"/> 512-byte blocks in RAM, ready
/// <see cref="StorportScenarioOptions.NvmeReadyNanoseconds"/> after CC.EN is set, or never
/// (<see cref="StorportScenarioOptions.NvmeNeverReady"/>). An NVMe Storport miniport translates SCSI to NVMe and shows
/// the namespace as the unit at bus 0, target 0, LUN 0: that is the bus whose medium the scenario checks.
/// </summary>
/// <remarks>
/// <para>Surprise removal (<see cref="StorportScenarioOptions.SurpriseRemoveNanoseconds"/>): 1 ms before it, the
/// controller is slowed to 1 s per command and <see cref="ReadsInFlightAtRemoval"/> reads are sent, so they are
/// outstanding when the controller goes (its registers then read all ones and nothing it held completes). Each must
/// then end with a failure status, from the driver: the report says how many did and when the first one did.</para>
/// </remarks>
internal sealed class NvmeScenarioDevice : StorportScenarioDevice
{
    /// <summary>The reads outstanding when the controller is surprise-removed.</summary>
    public const int ReadsInFlightAtRemoval = 4;

    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private readonly StorportScenarioOptions _options;
    private long _origin;

    public NvmeScenarioDevice(TimerEngine engine, StorportScenarioOptions options)
    {
        _options = options;
        Controller = new NvmeController(engine, AddressMap, new NvmeControllerOptions
        {
            NamespaceBlocks = options.NvmeNamespaceBlocks,
            ReadyNanoseconds = options.NvmeReadyNanoseconds,
            NeverReady = options.NvmeNeverReady,
        });
    }

    /// <summary>The controller.</summary>
    public NvmeController Controller { get; }

    public override IPciDevice Pci => Controller;

    public override int DefaultIosPerUnit => 1_000;

    public override string FlushCommandName => "NVMe Flush";

    /// <summary>When the controller was surprise-removed, ns from the run's start, or -1.</summary>
    public long RemovedAtNanoseconds { get; private set; } = -1;

    /// <summary>The reads sent just before the removal that were still outstanding when it happened.</summary>
    public long OutstandingAtRemoval { get; private set; }

    /// <summary>Of <see cref="OutstandingAtRemoval"/>, those the driver ended with a failure status.</summary>
    public long OutstandingFailed { get; private set; }

    /// <summary>Of <see cref="OutstandingAtRemoval"/>, those that ended with SRB_STATUS_SUCCESS (the device is gone: none should).</summary>
    public long OutstandingSucceeded { get; private set; }

    /// <summary>When the first outstanding read failed, ns from the run's start, or -1.</summary>
    public long OutstandingFailedAtNanoseconds { get; private set; } = -1;

    /// <summary>The SRB status the outstanding reads ended with (the last one's), or 0.</summary>
    public byte OutstandingFailureStatus { get; private set; }

    public override long? CapacitySectors(int bus) => bus == 0 ? Controller.Namespace.BlockCount : null;

    public override bool ReadMedium(int bus, long lba, Span<byte> into)
    {
        if (bus != 0)
        {
            return false;
        }

        Controller.Namespace.ReadBlocks(lba, into);
        return true;
    }

    public override long FlushCommands(int bus) => bus == 0 ? Controller.GetIoCommandCount(NvmeOpcodes.Flush) : 0;

    public override void Schedule(StorportDriverScenario scenario, Workload workload, long durationNanoseconds)
    {
        _origin = workload.Origin;
        if (_options.SurpriseRemoveNanoseconds is not { } removeAt)
        {
            return;
        }

        var outstanding = new HashSet<long>();
        workload.At(Math.Max(0, removeAt - Ms), () =>
        {
            Controller.CommandLatencyNanoseconds = 1_000 * Ms;
            for (var i = 0; i < ReadsInFlightAtRemoval; i++)
            {
                var lba = 8L * i;
                var tag = scenario.Submit(0, StorportDriverScenario.Read10(lba, 8), new byte[8 * 512], StorPort.SRB_FLAGS_DATA_IN, srb =>
                {
                    if (!outstanding.Remove(srb.Tag))
                    {
                        return; // completed before the removal: not outstanding
                    }

                    if (srb.SrbStatus == StorPort.SRB_STATUS_SUCCESS)
                    {
                        OutstandingSucceeded++;
                        scenario.AddFailure($"bus 0: a READ (10) outstanding at the surprise removal ended with SRB_STATUS_SUCCESS at {(Controller.Engine.NowNanoseconds - workload.Origin) / Ms} ms");
                        return;
                    }

                    OutstandingFailed++;
                    OutstandingFailureStatus = srb.SrbStatus;
                    if (OutstandingFailedAtNanoseconds < 0)
                    {
                        OutstandingFailedAtNanoseconds = (Controller.Engine.NowNanoseconds - workload.Origin);
                    }
                });
                if (tag is { } sent)
                {
                    outstanding.Add(sent);
                }
            }
        });
        workload.At(removeAt, () =>
        {
            OutstandingAtRemoval = outstanding.Count;
            Controller.SurpriseRemove();
            RemovedAtNanoseconds = (Controller.Engine.NowNanoseconds - workload.Origin);
        });
    }

    public override IEnumerable<KeyValuePair<string, long>> Facts(IReadOnlyList<StorportDriverScenario> scenarios)
    {
        var devices = scenarios.Select(s => s.Device).OfType<NvmeScenarioDevice>().ToList();
        static long AdminCount(NvmeScenarioDevice d, byte opcode) => d.Controller.GetAdminCommandCount(opcode);
        for (var i = 0; i < devices.Count; i++)
        {
            var prefix = devices.Count == 1 ? string.Empty : $"adapter {i} ";
            var ready = devices[i].Controller.ReadyAtNanoseconds;
            yield return new($"{prefix}NVMe ready at ms", ready < 0 ? -1 : (ready - devices[i]._origin) / Ms);
            yield return new($"{prefix}NVMe surprise removed at ms", devices[i].RemovedAtNanoseconds < 0 ? -1 : devices[i].RemovedAtNanoseconds / Ms);
            yield return new($"{prefix}outstanding I/O failed at ms", devices[i].OutstandingFailedAtNanoseconds < 0 ? -1 : devices[i].OutstandingFailedAtNanoseconds / Ms);
        }

        yield return new("NVMe admin commands", devices.Sum(d => Enumerable.Range(0, 256).Sum(op => AdminCount(d, (byte)op))));
        yield return new("NVMe Identify", devices.Sum(d => AdminCount(d, NvmeOpcodes.Identify)));
        yield return new("NVMe Set Features", devices.Sum(d => AdminCount(d, NvmeOpcodes.SetFeatures)));
        yield return new("NVMe I/O completion queues created", devices.Sum(d => AdminCount(d, NvmeOpcodes.CreateIoCompletionQueue)));
        yield return new("NVMe I/O submission queues created", devices.Sum(d => AdminCount(d, NvmeOpcodes.CreateIoSubmissionQueue)));
        yield return new("NVMe Read", devices.Sum(d => d.Controller.GetIoCommandCount(NvmeOpcodes.Read)));
        yield return new("NVMe Write", devices.Sum(d => d.Controller.GetIoCommandCount(NvmeOpcodes.Write)));
        yield return new("NVMe controller resets", devices.Sum(d => d.Controller.ControllerResetCount));
        yield return new("outstanding I/O at removal", devices.Sum(d => d.OutstandingAtRemoval));
        yield return new("outstanding I/O failed", devices.Sum(d => d.OutstandingFailed));
    }
}
