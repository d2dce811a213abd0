using System.Buffers.Binary;
using System.Text;
using MiniportTimers.Devices.Nvme;
using static MiniportTimers.Devices.Nvme.NvmeRegisters;
using Command = MiniportTimers.Tests.Devices.Nvme.NvmeRig.Command;

namespace MiniportTimers.Tests.Devices.Nvme;

/// <summary>NVM Express 1.3 §5: Identify, queue creation and deletion, Set/Get Features, Abort, and the statuses of what the model does not implement.</summary>
public class NvmeAdminTests
{
    [Fact]
    public void IdentifyController_ReportsTheControllersFields()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { SerialNumber = "SN42", ModelNumber = "Model X", FirmwareRevision = "FW7", MaximumDataTransferSizeExponent = 6 });
        rig.EnableReady();
        var completion = rig.Admin(new Command(NvmeOpcodes.Identify) { Cdw10 = NvmeOpcodes.IdentifyController, Prp1 = rig.Physical(NvmeRig.Scratch) });
        Assert.Equal(NvmeStatus.SuccessfulCompletion, completion.Status);
        Assert.False(completion.DoNotRetry);
        Assert.True(completion.Phase);
        Assert.Equal(1, completion.SubmissionQueueHead);
        var data = rig.Memory(NvmeRig.Scratch, 4096);
        Assert.Equal(NvmeControllerOptions.DefaultVendorId, BinaryPrimitives.ReadUInt16LittleEndian(data));
        Assert.Equal("SN42".PadRight(20), Encoding.ASCII.GetString(data.Slice(4, 20)));
        Assert.Equal("Model X".PadRight(40), Encoding.ASCII.GetString(data.Slice(24, 40)));
        Assert.Equal("FW7".PadRight(8), Encoding.ASCII.GetString(data.Slice(64, 8)));
        Assert.Equal(6, data[77]);                                                        // MDTS
        Assert.Equal(VS_1_3, BinaryPrimitives.ReadUInt32LittleEndian(data[80..]));       // VER
        Assert.Equal(3, data[258]);                                                       // ACL
        Assert.Equal(0x66, data[512]);                                                    // SQES
        Assert.Equal(0x44, data[513]);                                                    // CQES
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(data[516..]));          // NN
        Assert.Equal(1, rig.Controller.GetAdminCommandCount(NvmeOpcodes.Identify));
    }

    [Fact]
    public void IdentifyNamespace_AcrossTwoPages_ThroughPrp1AndPrp2()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { NamespaceBlocks = 123_456 });
        rig.EnableReady();
        var completion = rig.Admin(new Command(NvmeOpcodes.Identify)
        {
            Nsid = 1,
            Cdw10 = NvmeOpcodes.IdentifyNamespace,
            Prp1 = rig.Physical(NvmeRig.Scratch + 0x800),        // the second half of one page...
            Prp2 = rig.Physical(NvmeRig.Scratch + 0x3000),       // ...and the first half of another
        });
        Assert.Equal(NvmeStatus.SuccessfulCompletion, completion.Status);
        var first = rig.Memory(NvmeRig.Scratch + 0x800, 0x800);
        Assert.Equal(123_456UL, BinaryPrimitives.ReadUInt64LittleEndian(first));        // NSZE
        Assert.Equal(123_456UL, BinaryPrimitives.ReadUInt64LittleEndian(first[8..]));   // NCAP
        Assert.Equal(0, first[25]);                                                      // NLBAF
        Assert.Equal(9u << 16, BinaryPrimitives.ReadUInt32LittleEndian(first[128..]));  // LBAF0: LBADS 9
        Assert.True(rig.Memory(NvmeRig.Scratch + 0x1000, 0x2000).IndexOfAnyExcept((byte)0) < 0); // the pages between are untouched
    }

    [Fact]
    public void IdentifyNamespace_OfAnInvalidNamespace_AndAnUnknownCns_Fail()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        foreach (var nsid in new uint[] { 0, 2, 0xFFFF_FFFF })
        {
            var completion = rig.Admin(new Command(NvmeOpcodes.Identify) { Nsid = nsid, Cdw10 = 0, Prp1 = rig.Physical(NvmeRig.Scratch) });
            Assert.Equal(NvmeStatus.InvalidNamespaceOrFormat, completion.Status);
            Assert.True(completion.DoNotRetry);
        }

        var unknown = rig.Admin(new Command(NvmeOpcodes.Identify) { Cdw10 = 0x10, Prp1 = rig.Physical(NvmeRig.Scratch) });
        Assert.Equal(NvmeStatus.InvalidFieldInCommand, unknown.Status);
    }

    [Fact]
    public void IdentifyActiveNamespaceList_ListsNamespaceOne_AboveTheGivenNsid()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        rig.Memory(NvmeRig.Scratch, 4096).Fill(0xAA);
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new Command(NvmeOpcodes.Identify) { Cdw10 = 2, Prp1 = rig.Physical(NvmeRig.Scratch) }).Status);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(rig.Memory(NvmeRig.Scratch, 4)));
        Assert.True(rig.Memory(NvmeRig.Scratch + 4, 4092).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new Command(NvmeOpcodes.Identify) { Nsid = 1, Cdw10 = 2, Prp1 = rig.Physical(NvmeRig.Scratch) }).Status);
        Assert.True(rig.Memory(NvmeRig.Scratch, 4096).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(NvmeStatus.InvalidNamespaceOrFormat, rig.Admin(new Command(NvmeOpcodes.Identify) { Nsid = 0xFFFF_FFFE, Cdw10 = 2, Prp1 = rig.Physical(NvmeRig.Scratch) }).Status);
    }

    [Fact]
    public void CreateIoQueues_Succeed_AndTheirErrorsAreThoseOfTheSpecification()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { MaximumQueueEntries = 64 });
        rig.EnableReady();
        var cqBase = rig.Physical(NvmeRig.IoCq);
        var sqBase = rig.Physical(NvmeRig.IoSq);
        ushort CreateCq(uint cdw10, uint cdw11, ulong prp1) => rig.Admin(new Command(NvmeOpcodes.CreateIoCompletionQueue) { Prp1 = prp1, Cdw10 = cdw10, Cdw11 = cdw11 }).Status;
        ushort CreateSq(uint cdw10, uint cdw11, ulong prp1) => rig.Admin(new Command(NvmeOpcodes.CreateIoSubmissionQueue) { Prp1 = prp1, Cdw10 = cdw10, Cdw11 = cdw11 }).Status;

        Assert.Equal(NvmeStatus.InvalidQueueIdentifier, CreateCq(0 | (15u << 16), 3, cqBase));   // QID 0 is the admin queue
        Assert.Equal(NvmeStatus.InvalidQueueIdentifier, CreateCq(17 | (15u << 16), 3, cqBase));  // past the 16 allocated
        Assert.Equal(NvmeStatus.InvalidQueueSize, CreateCq(1 | (64u << 16), 3, cqBase));         // 65 entries > MQES + 1
        Assert.Equal(NvmeStatus.InvalidQueueSize, CreateCq(1, 3, cqBase));                       // 1 entry
        Assert.Equal(NvmeStatus.InvalidFieldInCommand, CreateCq(1 | (15u << 16), 2, cqBase));    // PC = 0 with CAP.CQR
        Assert.Equal(NvmeStatus.InvalidInterruptVector, CreateCq(1 | (15u << 16), 3 | (1u << 16), cqBase));
        Assert.Equal(NvmeStatus.PrpOffsetInvalid, CreateCq(1 | (15u << 16), 3, cqBase + 0x100));
        Assert.Equal(NvmeStatus.CompletionQueueInvalid, CreateSq(1 | (15u << 16), 1 | (1u << 16), sqBase));
        Assert.Equal(NvmeStatus.SuccessfulCompletion, CreateCq(1 | (15u << 16), 3, cqBase));
        Assert.Equal(NvmeStatus.InvalidQueueIdentifier, CreateCq(1 | (15u << 16), 3, cqBase));   // exists
        Assert.Equal(NvmeStatus.CompletionQueueInvalid, CreateSq(1 | (15u << 16), 1 | (2u << 16), sqBase));
        Assert.Equal(NvmeStatus.CompletionQueueInvalid, CreateSq(1 | (15u << 16), 1, sqBase));   // CQ 0 is the admin CQ
        Assert.Equal(NvmeStatus.InvalidFieldInCommand, CreateSq(1 | (15u << 16), 0 | (1u << 16), sqBase));
        Assert.Equal(NvmeStatus.SuccessfulCompletion, CreateSq(1 | (15u << 16), 1 | (1u << 16), sqBase));
        Assert.Equal(NvmeStatus.InvalidQueueIdentifier, CreateSq(1 | (15u << 16), 1 | (1u << 16), sqBase));

        // Deletion: the CQ first is refused while SQ 1 posts to it.
        Assert.Equal(NvmeStatus.InvalidQueueDeletion, rig.Admin(new Command(NvmeOpcodes.DeleteIoCompletionQueue) { Cdw10 = 1 }).Status);
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new Command(NvmeOpcodes.DeleteIoSubmissionQueue) { Cdw10 = 1 }).Status);
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new Command(NvmeOpcodes.DeleteIoCompletionQueue) { Cdw10 = 1 }).Status);
        Assert.Equal(NvmeStatus.InvalidQueueIdentifier, rig.Admin(new Command(NvmeOpcodes.DeleteIoCompletionQueue) { Cdw10 = 1 }).Status);
        Assert.Equal(NvmeStatus.InvalidQueueIdentifier, rig.Admin(new Command(NvmeOpcodes.DeleteIoSubmissionQueue) { Cdw10 = 0 }).Status);
    }

    [Fact]
    public void CreateIoQueues_NeedTheEntrySizesInCc()
    {
        using var rig = new NvmeRig();
        rig.Enable();
        rig.Write(CC, CC_EN); // IOSQES and IOCQES left 0
        var completion = rig.Admin(new Command(NvmeOpcodes.CreateIoCompletionQueue) { Prp1 = rig.Physical(NvmeRig.IoCq), Cdw10 = 1 | (15u << 16), Cdw11 = 3 });
        Assert.Equal(NvmeStatus.InvalidFieldInCommand, completion.Status);
    }

    [Fact]
    public void NumberOfQueues_AllocatesUpToTheMaximum_AndOnlyBeforeQueuesExist()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { MaximumIoQueues = 8 });
        rig.EnableReady();
        var get = rig.Admin(new Command(NvmeOpcodes.GetFeatures) { Cdw10 = NvmeOpcodes.FeatureNumberOfQueues });
        Assert.Equal(7u | (7u << 16), get.Result);
        var set = rig.Admin(new Command(NvmeOpcodes.SetFeatures) { Cdw10 = NvmeOpcodes.FeatureNumberOfQueues, Cdw11 = 1 | (63u << 16) });
        Assert.Equal(NvmeStatus.SuccessfulCompletion, set.Status);
        Assert.Equal(1u | (7u << 16), set.Result); // 2 SQs, 8 CQs (of 64 asked)
        Assert.Equal(1u | (7u << 16), rig.Admin(new Command(NvmeOpcodes.GetFeatures) { Cdw10 = NvmeOpcodes.FeatureNumberOfQueues }).Result);
        Assert.Equal(7u | (7u << 16), rig.Admin(new Command(NvmeOpcodes.GetFeatures) { Cdw10 = NvmeOpcodes.FeatureNumberOfQueues | (1u << 8) }).Result); // default
        Assert.Equal(0b100u, rig.Admin(new Command(NvmeOpcodes.GetFeatures) { Cdw10 = NvmeOpcodes.FeatureNumberOfQueues | (3u << 8) }).Result);        // capabilities
        Assert.Equal(NvmeStatus.InvalidFieldInCommand, rig.Admin(new Command(NvmeOpcodes.SetFeatures) { Cdw10 = NvmeOpcodes.FeatureNumberOfQueues, Cdw11 = 0xFFFF }).Status);

        rig.CreateIoQueuePair();
        var sq3 = rig.Admin(new Command(NvmeOpcodes.CreateIoSubmissionQueue) { Prp1 = rig.Physical(NvmeRig.Scratch), Cdw10 = 3 | (15u << 16), Cdw11 = 1 | (1u << 16) });
        Assert.Equal(NvmeStatus.InvalidQueueIdentifier, sq3.Status); // only 2 SQs allocated
        var late = rig.Admin(new Command(NvmeOpcodes.SetFeatures) { Cdw10 = NvmeOpcodes.FeatureNumberOfQueues, Cdw11 = 3 | (3u << 16) });
        Assert.Equal(NvmeStatus.CommandSequenceError, late.Status);
    }

    [Fact]
    public void InterruptCoalescing_IsStoredAndReported_OtherFeaturesAreInvalidFields()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new Command(NvmeOpcodes.SetFeatures) { Cdw10 = NvmeOpcodes.FeatureInterruptCoalescing, Cdw11 = 0x0A05 }).Status);
        Assert.Equal(0x0A05u, rig.Admin(new Command(NvmeOpcodes.GetFeatures) { Cdw10 = NvmeOpcodes.FeatureInterruptCoalescing }).Result);
        Assert.Equal(0u, rig.Admin(new Command(NvmeOpcodes.GetFeatures) { Cdw10 = NvmeOpcodes.FeatureInterruptCoalescing | (1u << 8) }).Result);
        Assert.Equal(NvmeStatus.FeatureIdentifierNotSaveable, rig.Admin(new Command(NvmeOpcodes.SetFeatures) { Cdw10 = NvmeOpcodes.FeatureInterruptCoalescing | (1u << 31) }).Status);
        foreach (var feature in new uint[] { 0x01, 0x02, 0x04, 0x06, 0x0B, 0x80 })
        {
            var set = rig.Admin(new Command(NvmeOpcodes.SetFeatures) { Cdw10 = feature });
            Assert.Equal(NvmeStatus.InvalidFieldInCommand, set.Status);
            Assert.True(set.DoNotRetry);
            Assert.Equal(NvmeStatus.InvalidFieldInCommand, rig.Admin(new Command(NvmeOpcodes.GetFeatures) { Cdw10 = feature }).Status);
        }
    }

    [Fact]
    public void UnimplementedAdminCommands_AreInvalidCommandOpcodes()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        foreach (var opcode in new byte[] { 0x03, 0x10, 0x11, 0x80, 0x81, 0xC0, 0xFF })
        {
            var completion = rig.Admin(new Command(opcode));
            Assert.Equal(NvmeStatus.InvalidCommandOpcode, completion.Status);
            Assert.True(completion.DoNotRetry);
            Assert.Equal(1, rig.Controller.GetAdminCommandCount(opcode));
        }

        var fused = rig.Admin(new Command(NvmeOpcodes.Identify) { Flags = 0x01, Cdw10 = 1, Prp1 = rig.Physical(NvmeRig.Scratch) }); // FUSE = 01b
        Assert.Equal(NvmeStatus.InvalidFieldInCommand, fused.Status);
        var sgl = rig.Admin(new Command(NvmeOpcodes.Identify) { Flags = 0x40, Cdw10 = 1, Prp1 = rig.Physical(NvmeRig.Scratch) });  // PSDT = 01b
        Assert.Equal(NvmeStatus.InvalidFieldInCommand, sgl.Status);
    }

    [Fact]
    public void AsynchronousEventRequests_AreHeldUpToTheLimit_AndAbortedOrDroppedByAReset()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        var held = new List<ushort>();
        for (var i = 0; i < 4; i++)
        {
            held.Add(rig.Submit(0, new Command(NvmeOpcodes.AsynchronousEventRequest)));
        }

        rig.Settle();
        Assert.Null(rig.Poll(0));                                   // no events: nothing completes
        Assert.Equal(4, rig.Controller.OutstandingAsynchronousEventRequests);
        var fifth = rig.Admin(new Command(NvmeOpcodes.AsynchronousEventRequest));
        Assert.Equal(NvmeStatus.AsynchronousEventRequestLimitExceeded, fifth.Status);
        Assert.Equal(5, rig.Controller.GetAdminCommandCount(NvmeOpcodes.AsynchronousEventRequest));

        rig.Submit(0, new Command(NvmeOpcodes.Abort) { Cdw10 = (uint)held[1] << 16 });
        rig.Settle();
        var aborted = rig.Poll(0);
        var abort = rig.Poll(0);
        Assert.Equal((held[1], NvmeStatus.CommandAbortRequested), (aborted!.Value.CommandId, aborted.Value.Status));
        Assert.Equal((NvmeStatus.SuccessfulCompletion, 0u), (abort!.Value.Status, abort.Value.Result & 1));
        Assert.Equal(3, rig.Controller.OutstandingAsynchronousEventRequests);

        rig.Write(NvmeRegisters.CC, 0);
        Assert.Equal(0, rig.Controller.OutstandingAsynchronousEventRequests);
    }

    [Fact]
    public void GetLogPage_ReturnsTheSmartFirmwareAndErrorLogs_AndRejectsOthers()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { FirmwareRevision = "FW9" });
        rig.EnableReady();
        rig.Memory(NvmeRig.Scratch, 4096).Fill(0xEE);
        var smart = rig.Admin(new Command(NvmeOpcodes.GetLogPage) { Nsid = 0xFFFF_FFFF, Cdw10 = 0x02 | (127u << 16), Prp1 = rig.Physical(NvmeRig.Scratch) });
        Assert.Equal(NvmeStatus.SuccessfulCompletion, smart.Status);
        var log = rig.Memory(NvmeRig.Scratch, 512);
        Assert.Equal(300, BinaryPrimitives.ReadUInt16LittleEndian(log[1..]));
        Assert.Equal(100, log[3]);
        Assert.Equal(0xEE, rig.Memory(NvmeRig.Scratch + 512, 1)[0]);  // NUMD 127: 512 bytes, no more

        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new Command(NvmeOpcodes.GetLogPage) { Cdw10 = 0x03 | (127u << 16), Prp1 = rig.Physical(NvmeRig.Scratch) }).Status);
        Assert.Equal(1, rig.Memory(NvmeRig.Scratch, 1)[0]);
        Assert.Equal("FW9     ", Encoding.ASCII.GetString(rig.Memory(NvmeRig.Scratch + 8, 8)));
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new Command(NvmeOpcodes.GetLogPage) { Cdw10 = 0x01 | (15u << 16), Prp1 = rig.Physical(NvmeRig.Scratch) }).Status);
        Assert.True(rig.Memory(NvmeRig.Scratch, 64).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(NvmeStatus.InvalidLogPage, rig.Admin(new Command(NvmeOpcodes.GetLogPage) { Cdw10 = 0x04 | (15u << 16), Prp1 = rig.Physical(NvmeRig.Scratch) }).Status);
    }

    [Fact]
    public void Abort_OfACommandNotFound_SucceedsWithDword0Bit0Set()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        var completion = rig.Admin(new Command(NvmeOpcodes.Abort) { Cdw10 = 1 | (77u << 16) });
        Assert.Equal(NvmeStatus.SuccessfulCompletion, completion.Status);
        Assert.Equal(1u, completion.Result & 1);
    }

    [Fact]
    public void Abort_OfACommandInFlight_CompletesItWithCommandAbortRequested()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        rig.CreateIoQueuePair();
        rig.Controller.CommandLatencyNanoseconds = 10_000_000;
        var read = rig.Submit(1, new Command(NvmeOpcodes.Read) { CommandId = 0x42, Nsid = 1, Prp1 = rig.Physical(NvmeRig.Scratch) });
        rig.Controller.CommandLatencyNanoseconds = 0;
        var abort = rig.Admin(new Command(NvmeOpcodes.Abort) { Cdw10 = 1 | ((uint)read << 16) });
        Assert.Equal(NvmeStatus.SuccessfulCompletion, abort.Status);
        Assert.Equal(0u, abort.Result & 1);
        var aborted = rig.Poll(1);
        Assert.NotNull(aborted);
        Assert.Equal((read, NvmeStatus.CommandAbortRequested, false), (aborted.Value.CommandId, aborted.Value.Status, aborted.Value.DoNotRetry));
        rig.Engine.AdvanceBy(10_000_000);
        Assert.Null(rig.Poll(1));
        Assert.Equal(0, rig.Controller.GetIoCommandCount(NvmeOpcodes.Read));
    }

    [Fact]
    public void DeleteSubmissionQueue_AbortsItsCommandsInFlight()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        rig.CreateIoQueuePair();
        rig.Controller.CommandLatencyNanoseconds = 5_000_000;
        var first = rig.Submit(1, new Command(NvmeOpcodes.Flush) { Nsid = 1 });
        var second = rig.Submit(1, new Command(NvmeOpcodes.Flush) { Nsid = 1 });
        rig.Controller.CommandLatencyNanoseconds = 0;
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new Command(NvmeOpcodes.DeleteIoSubmissionQueue) { Cdw10 = 1 }).Status);
        var a = rig.Poll(1);
        var b = rig.Poll(1);
        Assert.Equal((first, NvmeStatus.CommandAbortedDueToSqDeletion), (a!.Value.CommandId, a.Value.Status));
        Assert.Equal((second, NvmeStatus.CommandAbortedDueToSqDeletion), (b!.Value.CommandId, b.Value.Status));
        rig.Engine.AdvanceBy(5_000_000);
        Assert.Null(rig.Poll(1));
        Assert.Equal(0, rig.Controller.Namespace.FlushCount);
    }
}
