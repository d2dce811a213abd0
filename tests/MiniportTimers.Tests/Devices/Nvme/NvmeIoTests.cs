using MiniportTimers.Devices.Nvme;
using MiniportTimers.Devices.Pci;
using static MiniportTimers.Devices.Nvme.NvmeRegisters;
using Command = MiniportTimers.Tests.Devices.Nvme.NvmeRig.Command;

namespace MiniportTimers.Tests.Devices.Nvme;

/// <summary>NVM Express 1.3 §6 (Read, Write, Flush), §4.3 (PRP entries and lists), §4.6 (phase tags, SQ head), §7.5.1 (pin-based interrupts) and command latency.</summary>
public class NvmeIoTests
{
    private const int Page = 4096;

    [Fact]
    public void WriteThenRead_ThroughPrp1Only()
    {
        using var rig = Ready();
        var data = Pattern(Page, seed: 1);
        data.CopyTo(rig.Memory(Data(0), Page));
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, Io(NvmeOpcodes.Write, lba: 100, blocks: 8, prp1: rig.Physical(Data(0)))).Status);

        var image = new byte[Page];
        rig.Controller.Namespace.ReadBlocks(100, image);
        Assert.Equal(data, image);

        rig.Memory(Data(1), Page).Clear();
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, Io(NvmeOpcodes.Read, lba: 100, blocks: 8, prp1: rig.Physical(Data(1)))).Status);
        Assert.Equal(data, rig.Memory(Data(1), Page).ToArray());
        Assert.Equal(1, rig.Controller.GetIoCommandCount(NvmeOpcodes.Write));
        Assert.Equal(1, rig.Controller.GetIoCommandCount(NvmeOpcodes.Read));
    }

    [Fact]
    public void WriteThenRead_ThroughPrp1WithAnOffsetAndPrp2()
    {
        using var rig = Ready();
        var data = Pattern(Page, seed: 2);
        var prp1 = Data(0) + 0x600;                        // 0xA00 bytes in the first page, 0x600 in the second
        data.AsSpan(0, 0xA00).CopyTo(rig.Memory(prp1, 0xA00));
        data.AsSpan(0xA00).CopyTo(rig.Memory(Data(3), 0x600));
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, Io(NvmeOpcodes.Write, lba: 7, blocks: 8, prp1: rig.Physical(prp1), prp2: rig.Physical(Data(3)))).Status);
        var image = new byte[Page];
        rig.Controller.Namespace.ReadBlocks(7, image);
        Assert.Equal(data, image);

        rig.Memory(Data(5), 2 * Page).Clear();
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, Io(NvmeOpcodes.Read, lba: 7, blocks: 8, prp1: rig.Physical(Data(5) + 0x600), prp2: rig.Physical(Data(7)))).Status);
        Assert.Equal(data.AsSpan(0, 0xA00).ToArray(), rig.Memory(Data(5) + 0x600, 0xA00).ToArray());
        Assert.Equal(data.AsSpan(0xA00).ToArray(), rig.Memory(Data(7), 0x600).ToArray());
        Assert.True(rig.Memory(Data(7) + 0x600, Page - 0x600).IndexOfAnyExcept((byte)0) < 0); // nothing past the transfer
    }

    [Fact]
    public void WriteThenRead_ThroughAPrpList_InScatteredPages()
    {
        using var rig = Ready();
        const int length = 16 * Page;                     // 128 blocks: PRP1 at offset 100h, then 16 more pages (the last partly)
        var data = Pattern(length, seed: 3);
        var pages = Enumerable.Range(0, 16).Select(i => Data(20 - i)).ToArray(); // descending: physically scattered
        var prp1 = Data(30) + 0x100;
        data.AsSpan(0, Page - 0x100).CopyTo(rig.Memory(prp1, Page - 0x100));
        var done = Page - 0x100;
        foreach (var page in pages)
        {
            var n = Math.Min(Page, length - done);
            data.AsSpan(done, n).CopyTo(rig.Memory(page, n));
            done += n;
        }

        rig.WritePrpList(Data(31) + 0x80, pages.Select(p => rig.Physical(p)).ToArray()); // a list need not start a page
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, Io(NvmeOpcodes.Write, lba: 1000, blocks: 128, prp1: rig.Physical(prp1), prp2: rig.Physical(Data(31) + 0x80))).Status);
        var image = new byte[length];
        rig.Controller.Namespace.ReadBlocks(1000, image);
        Assert.Equal(data, image);

        // Read back into contiguous pages described by another list.
        var readPages = Enumerable.Range(0, 16).Select(i => Data(40 + i)).ToArray();
        rig.Memory(Data(39), 17 * Page).Clear();
        rig.WritePrpList(Data(32), readPages.Select(p => rig.Physical(p)).ToArray());
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, Io(NvmeOpcodes.Read, lba: 1000, blocks: 128, prp1: rig.Physical(Data(39) + 0x100), prp2: rig.Physical(Data(32)))).Status);
        Assert.Equal(data, rig.Memory(Data(39) + 0x100, length).ToArray());
    }

    [Fact]
    public void PrpList_ChainsToTheNextListPage_ThroughItsLastEntry()
    {
        using var rig = Ready();
        const int length = 4 * Page;
        var data = Pattern(length, seed: 4);
        data.AsSpan(0, Page).CopyTo(rig.Memory(Data(0), Page));
        data.AsSpan(Page, Page).CopyTo(rig.Memory(Data(1), Page));
        data.AsSpan(2 * Page, Page).CopyTo(rig.Memory(Data(2), Page));
        data.AsSpan(3 * Page).CopyTo(rig.Memory(Data(3), Page));

        // The list starts 16 bytes before the end of its page: one data entry, then a pointer to the next list page.
        var list = Data(10) + Page - 16;
        rig.WritePrpList(list, rig.Physical(Data(1)), rig.Physical(Data(11)));
        rig.WritePrpList(Data(11), rig.Physical(Data(2)), rig.Physical(Data(3)));
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, Io(NvmeOpcodes.Write, lba: 0, blocks: 32, prp1: rig.Physical(Data(0)), prp2: rig.Physical(list))).Status);
        var image = new byte[length];
        rig.Controller.Namespace.ReadBlocks(0, image);
        Assert.Equal(data, image);
    }

    [Fact]
    public void BadPrps_AreOffsetInvalidOrDataTransferErrors()
    {
        using var rig = Ready();
        Assert.Equal(NvmeStatus.PrpOffsetInvalid, rig.Run(1, Io(NvmeOpcodes.Read, 0, 1, rig.Physical(Data(0)) + 2)).Status);                            // PRP1 not dword aligned
        Assert.Equal(NvmeStatus.PrpOffsetInvalid, rig.Run(1, Io(NvmeOpcodes.Read, 0, 16, rig.Physical(Data(0)), rig.Physical(Data(1)) + 0x200)).Status); // PRP2 as a page with an offset
        Assert.Equal(NvmeStatus.PrpOffsetInvalid, rig.Run(1, Io(NvmeOpcodes.Read, 0, 24, rig.Physical(Data(0)), rig.Physical(Data(1)) + 4)).Status);     // list not qword aligned
        var unmapped = rig.Run(1, Io(NvmeOpcodes.Read, 0, 8, 0x10_0000_0000));
        Assert.Equal(NvmeStatus.DataTransferError, unmapped.Status);
        Assert.False(unmapped.DoNotRetry);
        Assert.Equal(NvmeStatus.DataTransferError, rig.Run(1, Io(NvmeOpcodes.Write, 0, 16, rig.Physical(Data(0)), 0x10_0000_0000)).Status);
        Assert.Equal(0, rig.Controller.Namespace.AllocatedBytes);
    }

    [Fact]
    public void ReadAndWrite_OutsideTheNamespace_AreLbaOutOfRange()
    {
        using var rig = Ready(new NvmeControllerOptions { NamespaceBlocks = 1000 });
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, Io(NvmeOpcodes.Read, 999, 1, rig.Physical(Data(0)))).Status);
        var past = rig.Run(1, Io(NvmeOpcodes.Read, 999, 2, rig.Physical(Data(0))));
        Assert.Equal(NvmeStatus.LbaOutOfRange, past.Status);
        Assert.True(past.DoNotRetry);
        Assert.Equal(NvmeStatus.LbaOutOfRange, rig.Run(1, Io(NvmeOpcodes.Write, 1000, 1, rig.Physical(Data(0)))).Status);
        Assert.Equal(NvmeStatus.LbaOutOfRange, rig.Run(1, Io(NvmeOpcodes.Write, ulong.MaxValue, 1, rig.Physical(Data(0)))).Status);
        Assert.Equal(NvmeStatus.InvalidNamespaceOrFormat, rig.Run(1, Io(NvmeOpcodes.Read, 0, 1, rig.Physical(Data(0))) with { Nsid = 2 }).Status);
        Assert.Equal(NvmeStatus.InvalidFieldInCommand, rig.Run(1, Io(NvmeOpcodes.Read, 0, 257, rig.Physical(Data(0)))).Status); // 128.5 KiB > MDTS
        Assert.Equal(NvmeStatus.InvalidCommandOpcode, rig.Run(1, new Command(0x05) { Nsid = 1 }).Status);                        // Compare: not in ONCS
        Assert.Equal(NvmeStatus.InvalidCommandOpcode, rig.Run(1, new Command(0x7F) { Nsid = 1 }).Status);
    }

    [Fact]
    public void Flush_CompletesAndIsCounted()
    {
        using var rig = Ready();
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, new Command(NvmeOpcodes.Flush) { Nsid = 1 }).Status);
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, new Command(NvmeOpcodes.Flush) { Nsid = 0xFFFF_FFFF }).Status);
        Assert.Equal(NvmeStatus.InvalidNamespaceOrFormat, rig.Run(1, new Command(NvmeOpcodes.Flush) { Nsid = 3 }).Status);
        Assert.Equal(2, rig.Controller.Namespace.FlushCount);
        Assert.Equal(3, rig.Controller.GetIoCommandCount(NvmeOpcodes.Flush));
    }

    [Fact]
    public void PhaseTag_InvertsEachTimeTheCompletionQueueWraps_AndSqHeadFollows()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        rig.CreateIoQueuePair(entries: 4);
        var phases = new List<bool>();
        var heads = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            var completion = rig.Run(1, new Command(NvmeOpcodes.Flush) { Nsid = 1 });
            phases.Add(completion.Phase);
            heads.Add(completion.SubmissionQueueHead);
        }

        Assert.Equal([true, true, true, true, false, false, false, false, true, true], phases);
        Assert.Equal([1, 2, 3, 0, 1, 2, 3, 0, 1, 2], heads);
    }

    [Fact]
    public void FullCompletionQueue_HoldsCompletionsUntilTheHostFreesEntries()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        rig.Memory(NvmeRig.IoCq, 0x1000).Clear();
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new Command(NvmeOpcodes.CreateIoCompletionQueue) { Prp1 = rig.Physical(NvmeRig.IoCq), Cdw10 = 1 | (3u << 16), Cdw11 = 3 }).Status);
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new Command(NvmeOpcodes.CreateIoSubmissionQueue) { Prp1 = rig.Physical(NvmeRig.IoSq), Cdw10 = 1 | (7u << 16), Cdw11 = 1 | (1u << 16) }).Status);
        rig.TrackIoQueue(1, NvmeRig.IoSq, 8, NvmeRig.IoCq, 4);
        for (var i = 0; i < 5; i++)
        {
            rig.Enqueue(1, new Command(NvmeOpcodes.Flush) { CommandId = (ushort)(100 + i), Nsid = 1 });
        }

        rig.Ring(1);
        Assert.Equal(5, rig.Controller.Namespace.FlushCount);               // all five ran...
        var seen = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            seen.Add(rig.Poll(1, ringHeadDoorbell: false)!.Value.CommandId); // ...three fit (a full queue keeps one slot empty)
        }

        Assert.Null(rig.Poll(1, ringHeadDoorbell: false));
        rig.RingHead(1);
        seen.Add(rig.Poll(1)!.Value.CommandId);
        seen.Add(rig.Poll(1)!.Value.CommandId);
        Assert.Equal([100, 101, 102, 103, 104], seen);
    }

    [Fact]
    public void Interrupt_IsRaisedWhileAnEnabledQueueHasEntries_AndClearedByTheHeadDoorbell()
    {
        using var rig = Ready();
        rig.Engine.AdvanceBy(1000);
        rig.Submit(1, new Command(NvmeOpcodes.Flush) { Nsid = 1 });
        Assert.True(rig.Controller.Interrupt.IsAsserted);            // posted within the doorbell write...
        Assert.Empty(rig.Interrupts);                                // ...delivered later, on the dispatcher
        Assert.NotEqual(0, rig.Controller.PciConfiguration.ReadUInt16(PciConfigurationSpace.StatusOffset) & PciConfigurationSpace.StatusInterruptStatus);
        rig.Settle();
        Assert.Equal([1000L], rig.Interrupts);
        Assert.NotNull(rig.Poll(1, ringHeadDoorbell: false));
        Assert.True(rig.Controller.Interrupt.IsAsserted);            // until the head doorbell says the entry is consumed
        rig.RingHead(1);
        Assert.False(rig.Controller.Interrupt.IsAsserted);
        Assert.Equal(0, rig.Controller.PciConfiguration.ReadUInt16(PciConfigurationSpace.StatusOffset) & PciConfigurationSpace.StatusInterruptStatus);
    }

    [Fact]
    public void Interrupt_IsMaskedByIntmsAndPciInterruptDisable_AndNotRaisedForAQueueWithoutIen()
    {
        using var rig = Ready();
        rig.Write(INTMS, 1);
        rig.Submit(1, new Command(NvmeOpcodes.Flush) { Nsid = 1 });
        rig.Settle();
        Assert.False(rig.Controller.Interrupt.IsAsserted);
        rig.Write(INTMC, 1);
        Assert.True(rig.Controller.Interrupt.IsAsserted);
        rig.Controller.PciConfiguration.WriteUInt16(PciConfigurationSpace.CommandOffset, (ushort)(rig.Controller.PciConfiguration.Command | PciConfigurationSpace.CommandInterruptDisable));
        Assert.False(rig.Controller.Interrupt.IsAsserted);
        rig.Controller.PciConfiguration.WriteUInt16(PciConfigurationSpace.CommandOffset, (ushort)(rig.Controller.PciConfiguration.Command & ~PciConfigurationSpace.CommandInterruptDisable));
        Assert.True(rig.Controller.Interrupt.IsAsserted);
        rig.Poll(1);
        Assert.False(rig.Controller.Interrupt.IsAsserted);

        using var polled = new NvmeRig();
        polled.EnableReady();
        polled.CreateIoQueuePair(interrupts: false);
        polled.Settle();
        polled.Interrupts.Clear();
        polled.Submit(1, new Command(NvmeOpcodes.Flush) { Nsid = 1 });
        polled.Settle();
        Assert.False(polled.Controller.Interrupt.IsAsserted);
        Assert.Empty(polled.Interrupts);
        Assert.NotNull(polled.Poll(1));
    }

    [Fact]
    public void CommandLatency_CompletesAtExactlyTheConfiguredTime()
    {
        using var rig = Ready();
        rig.Controller.CommandLatencyNanoseconds = 250_000;
        rig.Engine.AdvanceBy(10_000);
        rig.Enqueue(1, new Command(NvmeOpcodes.Flush) { Nsid = 1 });
        rig.Enqueue(1, new Command(NvmeOpcodes.Flush) { Nsid = 1 });
        rig.Ring(1);
        rig.Engine.AdvanceBy(249_999);
        Assert.Null(rig.Poll(1, ringHeadDoorbell: false));
        Assert.False(rig.Controller.Interrupt.IsAsserted);
        rig.Engine.AdvanceBy(1);
        Assert.Equal([260_000L], rig.Interrupts);
        Assert.NotNull(rig.Poll(1, ringHeadDoorbell: false));
        Assert.NotNull(rig.Poll(1));
        Assert.Equal(2, rig.Controller.Namespace.FlushCount);
    }

    [Fact]
    public void ControllerReset_AbandonsCommandsInFlight()
    {
        using var rig = Ready();
        rig.Controller.CommandLatencyNanoseconds = 1_000_000;
        rig.Submit(1, new Command(NvmeOpcodes.Flush) { Nsid = 1 });
        rig.Write(CC, 0);
        rig.Engine.AdvanceBy(2_000_000);
        Assert.Null(rig.Poll(1, ringHeadDoorbell: false));
        Assert.Equal(0, rig.Controller.Namespace.FlushCount);
        Assert.False(rig.Controller.Interrupt.IsAsserted);
    }

    private static NvmeRig Ready(NvmeControllerOptions? options = null)
    {
        var rig = new NvmeRig(options);
        rig.EnableReady();
        rig.CreateIoQueuePair();
        rig.Settle();
        rig.Interrupts.Clear();
        return rig;
    }

    /// <summary>The offset of scratch data page <paramref name="page"/> in the rig's memory.</summary>
    private static int Data(int page) => NvmeRig.Scratch + (page * Page);

    private static Command Io(byte opcode, ulong lba, int blocks, ulong prp1, ulong prp2 = 0) =>
        new(opcode) { Nsid = 1, Prp1 = prp1, Prp2 = prp2, Cdw10 = unchecked((uint)lba), Cdw11 = (uint)(lba >> 32), Cdw12 = (uint)(blocks - 1) };

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
