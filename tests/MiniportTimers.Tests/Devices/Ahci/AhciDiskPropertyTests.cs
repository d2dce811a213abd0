using CsCheck;
using MiniportTimers.Devices.Ata;
using MiniportTimers.Devices.Sata;
using static MiniportTimers.Devices.Ahci.AhciRegisters;

namespace MiniportTimers.Tests.Devices.Ahci;

/// <summary>
/// Random sequences of READ DMA EXT and WRITE DMA EXT, each through a PRDT cut at random even offsets and issued in a
/// random slot, against a reference array of the disk's bytes: every read returns what the reference holds, and the
/// disk's image equals the reference at the end. CsCheck shrinks a failure to the shortest sequence.
/// </summary>
public class AhciDiskPropertyTests
{
    private const int CapacitySectors = 256;
    private const int MaxSectors = 32;

    /// <summary>One command: direction, first sector, sector count, PRDT entries (1-8), the slot, and a seed for the data and the cuts.</summary>
    public sealed record Operation(bool Write, int Lba, int Count, int Pieces, int Slot, int Seed);

    private static readonly Gen<Operation> Op =
        Gen.Select(Gen.Bool, Gen.Int[1, MaxSectors], Gen.Int[1, 8], Gen.Int[0, 31], Gen.Int, (write, count, pieces, slot, seed) => (write, count, pieces, slot, seed))
            .SelectMany(t => Gen.Int[0, CapacitySectors - t.count].Select(lba => new Operation(t.write, lba, t.count, t.pieces, t.slot, t.seed)));

    [Fact]
    public void RandomReadsAndWrites_ThroughRandomPrdts_MatchAReferenceArray() =>
        Check.Sample(Op.List[1, 40], Matches, iter: 60, threads: 1);

    private static bool Matches(List<Operation> operations)
    {
        using var rig = new AhciRig();
        var disk = rig.AttachDisk(0, new SataDiskOptions { CapacitySectors = CapacitySectors });
        rig.StartPort(0);
        var reference = new byte[CapacitySectors * SataDisk.SectorSize];
        var buffer = new byte[(MaxSectors * SataDisk.SectorSize) + (8 * 64)];
        var physical = rig.MapBuffer(buffer).PhysicalAddress;

        foreach (var op in operations)
        {
            var random = new Random(op.Seed);
            var bytes = op.Count * SataDisk.SectorSize;
            var prds = Cut(random, bytes, op.Pieces, physical);
            var data = new byte[bytes];
            random.NextBytes(data);
            if (op.Write)
            {
                Scatter(data, prds, buffer, physical);
            }
            else
            {
                Array.Clear(buffer);
            }

            rig.Run(0, op.Slot, op.Write ? AtaCommands.WRITE_DMA_EXT : AtaCommands.READ_DMA_EXT, (ulong)op.Lba, (ushort)op.Count, prds, write: op.Write);
            if (rig.Read(0, PxCI) != 0 || rig.Read(0, PxTFD) != 0x50 || rig.ByteCount(0, op.Slot) != bytes)
            {
                return false;
            }

            var span = reference.AsSpan(op.Lba * SataDisk.SectorSize, bytes);
            if (op.Write)
            {
                data.CopyTo(span);
            }
            else if (!Gather(prds, buffer, physical).AsSpan().SequenceEqual(span))
            {
                return false;
            }
        }

        var image = new byte[reference.Length];
        disk.ReadSectors(0, image);
        return image.AsSpan().SequenceEqual(reference);
    }

    /// <summary>Cuts <paramref name="bytes"/> into up to <paramref name="pieces"/> even-sized regions, each placed after the last with a gap.</summary>
    private static List<AhciRig.Prd> Cut(Random random, int bytes, int pieces, ulong physical)
    {
        var cuts = Enumerable.Range(0, pieces - 1).Select(_ => random.Next(1, bytes / 2) * 2).Append(0).Append(bytes).Distinct().Order().ToList();
        var prds = new List<AhciRig.Prd>();
        var offset = 0UL;
        for (var i = 0; i + 1 < cuts.Count; i++)
        {
            var length = cuts[i + 1] - cuts[i];
            prds.Add(new AhciRig.Prd(physical + offset, length));
            offset += (ulong)length + 64; // distinct, non-adjacent host regions
        }

        return prds;
    }

    private static void Scatter(byte[] data, List<AhciRig.Prd> prds, byte[] buffer, ulong physical)
    {
        var at = 0;
        foreach (var prd in prds)
        {
            data.AsSpan(at, prd.Length).CopyTo(buffer.AsSpan((int)(prd.Address - physical)));
            at += prd.Length;
        }
    }

    private static byte[] Gather(List<AhciRig.Prd> prds, byte[] buffer, ulong physical)
    {
        var data = new byte[prds.Sum(p => p.Length)];
        var at = 0;
        foreach (var prd in prds)
        {
            buffer.AsSpan((int)(prd.Address - physical), prd.Length).CopyTo(data.AsSpan(at));
            at += prd.Length;
        }

        return data;
    }
}
