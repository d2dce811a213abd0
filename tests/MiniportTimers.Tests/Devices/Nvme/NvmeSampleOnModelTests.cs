using MiniportTimers.Devices.Nvme;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Nvme;
using NvmeController = MiniportTimers.Devices.Nvme.NvmeController;

namespace MiniportTimers.Tests.Devices.Nvme;

/// <summary>The C# nvme sample on the emulated controller: what the model saw of the sample's driver (issue 24, "the C# nvme samples drive the same model").</summary>
public class NvmeSampleOnModelTests
{
    [Fact]
    public void Sample_StartsThroughRealAdminCommands_AndItsReadsRunOnTheNamespace()
    {
        var run = NvmeRun.Execute(new VirtualTimerEngine(), new NvmeRun { SurpriseRemoval = false, ReadyDelayMilliseconds = 200 }, 2_000);
        Assert.Equal(2, run.Total(NvmeFact.StartsCompleted));
        Assert.InRange(run.Total(NvmeFact.ReadyPolls), 78, 82);          // RDY at 200 ms, polled every 5 ms by NVMeRunning
        var devices = run.CreatedAdapters.Select(a => (NvmeController)a.Hardware!.Device).ToList();
        foreach (var device in devices)
        {
            Assert.Equal(2, device.GetAdminCommandCount(NvmeOpcodes.Identify));
            Assert.Equal(1, device.GetAdminCommandCount(NvmeOpcodes.CreateIoCompletionQueue));
            Assert.Equal(1, device.GetAdminCommandCount(NvmeOpcodes.CreateIoSubmissionQueue));
            Assert.Equal(1, device.GetAdminCommandCount(NvmeOpcodes.SetFeatures));
            Assert.Equal(0, device.InvalidDoorbellWriteCount);
            Assert.Equal(0u, device.ReadRegister32(NvmeRegisters.CSTS));  // Finish disabled it
        }

        var reads = devices.Sum(d => d.GetIoCommandCount(NvmeOpcodes.Read));
        // A read every 2 ms per adapter from 100 ms to 1.6 s; those before StartComplete (200 ms) are answered BUSY by StartIo.
        Assert.InRange(reads, 1_300, run.Host.RequestActivity.Completed);
        Assert.Empty(run.Host.BugChecks);
        Assert.Empty(run.InvariantFailures);
    }

    [Fact]
    public void Sample_SurpriseRemoval_IsTheDevicesOwn_AllOnesFoundByTheWatchdog()
    {
        var run = NvmeRun.Execute(new VirtualTimerEngine(), new NvmeRun(), 5_000);
        var pulled = (NvmeController)run.CreatedAdapters[^1].Hardware!.Device;
        Assert.True(pulled.IsRemoved);
        Assert.Equal(uint.MaxValue, pulled.ReadRegister32(NvmeRegisters.VS));
        Assert.False(((NvmeController)run.CreatedAdapters[0].Hardware!.Device).IsRemoved);
        Assert.Equal(1, run.Total(NvmeFact.SurpriseRemovals));
        Assert.Empty(run.Host.BugChecks);
        Assert.Empty(run.InvariantFailures);
    }
}
