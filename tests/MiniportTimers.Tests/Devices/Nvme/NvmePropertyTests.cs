using System.Buffers.Binary;
using CsCheck;
using MiniportTimers.Devices.Nvme;
using Command = MiniportTimers.Tests.Devices.Nvme.NvmeRig.Command;

namespace MiniportTimers.Tests.Devices.Nvme;

/// <summary>
/// Random sequences of Write and Read through random PRPs (PRP1 at a random dword offset, data pages in a random order,
/// PRP2 a page or a PRP list starting at a random qword offset and chained when it runs past its page), against a
/// reference array of the namespace's bytes: every read returns what the reference holds, and the namespace equals the
/// reference at the end. CsCheck shrinks a failure to the shortest sequence.
/// </summary>
public class NvmePropertyTests
{
    private const int Page = 4096;
    private const int CapacityBlocks = 512;
    private const int MaxBlocks = 64;
    private const int DataPages = 20;
    private const int ListPage = 40;

    /// <summary>One command: direction, first block, block count, PRP1's dword offset in its page, where the list starts, a seed for the data and the page order.</summary>
    public sealed record Operation(bool Write, int Lba, int Blocks, int Prp1Dword, int ListQword, int Seed);

    private static readonly Gen<Operation> Op =
        Gen.Select(Gen.Bool, Gen.Int[1, MaxBlocks], Gen.Int[0, (Page / 4) - 1], Gen.Int[0, (Page / 8) - 1], Gen.Int, (write, blocks, prp1, list, seed) => (write, blocks, prp1, list, seed))
            .SelectMany(t => Gen.Int[0, CapacityBlocks - t.blocks].Select(lba => new Operation(t.write, lba, t.blocks, t.prp1, t.list, t.seed)));

    [Fact]
    public void RandomReadsAndWrites_ThroughRandomPrps_MatchAReferenceArray() =>
        Check.Sample(Op.List[1, 30], Matches, iter: 60, threads: 1);

    private static bool Matches(List<Operation> operations)
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { NamespaceBlocks = CapacityBlocks });
        rig.EnableReady();
        rig.CreateIoQueuePair(entries: 8);
        var reference = new byte[CapacityBlocks * NvmeNamespace.BlockSize];
        foreach (var op in operations)
        {
            var random = new Random(op.Seed);
            var length = op.Blocks * NvmeNamespace.BlockSize;
            var order = Enumerable.Range(0, DataPages).OrderBy(_ => random.Next()).ToArray();
            var prp1Offset = op.Prp1Dword * 4;
            var pieces = new List<(int Offset, int Length)> { (Data(order[0]) + prp1Offset, Math.Min(length, Page - prp1Offset)) };
            for (var done = pieces[0].Length; done < length; done += Page)
            {
                pieces.Add((Data(order[pieces.Count]), Math.Min(Page, length - done)));
            }

            var prp2 = pieces.Count switch
            {
                1 => 0UL,
                2 => rig.Physical(pieces[1].Offset),
                _ => BuildList(rig, pieces, op.ListQword * 8),
            };

            var data = new byte[length];
            random.NextBytes(data);
            foreach (var (offset, n) in pieces)
            {
                rig.Memory(offset, n).Clear();
            }

            if (op.Write)
            {
                Scatter(rig, data, pieces);
            }

            var completion = rig.Run(1, new Command(op.Write ? NvmeOpcodes.Write : NvmeOpcodes.Read)
            {
                Nsid = 1,
                Prp1 = rig.Physical(pieces[0].Offset),
                Prp2 = prp2,
                Cdw10 = (uint)op.Lba,
                Cdw12 = (uint)(op.Blocks - 1),
            });
            if (completion.Status != NvmeStatus.SuccessfulCompletion)
            {
                return false;
            }

            var span = reference.AsSpan(op.Lba * NvmeNamespace.BlockSize, length);
            if (op.Write)
            {
                data.CopyTo(span);
            }
            else if (!Gather(rig, pieces).AsSpan().SequenceEqual(span))
            {
                return false;
            }
        }

        var image = new byte[reference.Length];
        rig.Controller.Namespace.ReadBlocks(0, image);
        return image.AsSpan().SequenceEqual(reference);
    }

    /// <summary>Writes the data pages after the first into a PRP list at <paramref name="start"/> in the list page, chaining to the next list page when the list reaches the last entry of its page with more than one page still to describe.</summary>
    private static ulong BuildList(NvmeRig rig, List<(int Offset, int Length)> pieces, int start)
    {
        var position = Data(ListPage) + start;
        var pageEnd = Data(ListPage + 1);
        for (var i = 1; i < pieces.Count; i++)
        {
            if (position == pageEnd - 8 && pieces.Count - i > 1)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(rig.Memory(position, 8), rig.Physical(Data(ListPage + 1)));
                position = Data(ListPage + 1);
                pageEnd = Data(ListPage + 2);
            }

            BinaryPrimitives.WriteUInt64LittleEndian(rig.Memory(position, 8), rig.Physical(pieces[i].Offset));
            position += 8;
        }

        return rig.Physical(Data(ListPage) + start);
    }

    private static void Scatter(NvmeRig rig, byte[] data, List<(int Offset, int Length)> pieces)
    {
        var done = 0;
        foreach (var (offset, n) in pieces)
        {
            data.AsSpan(done, n).CopyTo(rig.Memory(offset, n));
            done += n;
        }
    }

    private static byte[] Gather(NvmeRig rig, List<(int Offset, int Length)> pieces)
    {
        var result = new List<byte>();
        foreach (var (offset, n) in pieces)
        {
            result.AddRange(rig.Memory(offset, n).ToArray());
        }

        return [.. result];
    }

    private static int Data(int page) => NvmeRig.Scratch + (page * Page);
}
