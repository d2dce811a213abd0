using System.Buffers;

namespace MiniportTimers.Devices.Memory;

/// <summary>
/// The host's address map: which "physical" addresses the devices of a host can reach, and which host memory each one
/// is. A driver hands a device physical addresses (an AHCI command list base, a received-FIS base, command tables, the
/// data buffers of a PRDT); the device resolves them here, and anything it cannot resolve is what real hardware would
/// see as a master abort (an AHCI HBA reports a Host Bus Fatal Error).
/// </summary>
/// <remarks>
/// <para>The mapping (docs/devices.md, "The address map"):</para>
/// <list type="bullet">
/// <item>A range is registered by whoever owns the memory: a C# driver or host maps a managed buffer with
/// <see cref="Map(Memory{byte})"/> (the map pins it until <see cref="Unmap"/>); native code maps memory it allocated
/// (later Storport's uncached extension, an SRB's data buffer) with <see cref="Map(nint, long)"/> and keeps it alive
/// until it unmaps it. <see cref="MapAt"/> places a range at a physical address the caller chooses.</item>
/// <item>Physical addresses are not the host addresses: they are handed out upwards from the first physical address
/// given to the constructor (4 GiB by default, so 64-bit addressing is exercised), never reused, and each range is
/// followed by an unmapped guard page. A driver that hands a device a virtual address, runs past the end of a
/// buffer, or uses a buffer after it was unmapped is caught, not silently served.</item>
/// <item>The physical address keeps the host address's offset within its 4 KiB page, so alignment up to 4 KiB
/// survives the translation in both directions.</item>
/// <item><see cref="TryTranslate"/> is StorPortGetPhysicalAddress's direction (host to physical, with the length that
/// is contiguous from there); <see cref="TryResolve"/> and <see cref="TryGetSpan"/> are the device's (physical to host;
/// the whole access must lie inside one range).</item>
/// </list>
/// <para>Thread safety: every member is thread-safe. Lookups are lock-free on an immutable snapshot; mapping and
/// unmapping take a lock and publish a new snapshot (O(n) in the number of ranges). A device that resolved an address
/// keeps using the host memory until its access ends: unmapping memory a device is still using is the owner's error,
/// as freeing a DMA buffer under a running transfer is on real hardware.</para>
/// </remarks>
public sealed class HostAddressMap
{
    /// <summary>The page size the map keeps offsets within, in bytes (4 KiB, the x64 page).</summary>
    public const long PageSize = 4096;

    /// <summary>The default first physical address handed out: 4 GiB, above the 32-bit range.</summary>
    public const ulong DefaultFirstPhysicalAddress = 0x1_0000_0000;

    /// <summary>The default end (exclusive) of the physical address space: 2^52, the x64 architectural limit.</summary>
    public const ulong DefaultPhysicalLimit = 1UL << 52;

    private readonly object _gate = new();
    private readonly ulong _physicalLimit;
    private ulong _nextPhysical;
    private long _mappings;
    private Snapshot _snapshot = Snapshot.Empty;

    /// <summary>Creates an empty map.</summary>
    /// <param name="firstPhysicalAddress">Where <see cref="Map(nint, long)"/> starts handing out physical addresses; a multiple of <see cref="PageSize"/>, not 0 (a null physical address is never valid).</param>
    /// <param name="physicalLimit">The end (exclusive) of the physical address space, above <paramref name="firstPhysicalAddress"/>; 2^32 gives a 32-bit-only device a map it can address.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is 0, not page-aligned, or the limit is not above the first address.</exception>
    public HostAddressMap(ulong firstPhysicalAddress = DefaultFirstPhysicalAddress, ulong physicalLimit = DefaultPhysicalLimit)
    {
        ArgumentOutOfRangeException.ThrowIfZero(firstPhysicalAddress);
        if (firstPhysicalAddress % PageSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(firstPhysicalAddress), firstPhysicalAddress, "The first physical address must be page-aligned.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(physicalLimit, firstPhysicalAddress);
        _nextPhysical = firstPhysicalAddress;
        _physicalLimit = physicalLimit;
    }

    /// <summary>The number of ranges mapped now.</summary>
    public int Count => Volatile.Read(ref _snapshot).ByPhysical.Length;

    /// <summary>The ranges mapped now, by physical address (a snapshot).</summary>
    public IReadOnlyList<HostMemoryRange> Ranges => Volatile.Read(ref _snapshot).ByPhysical;

    /// <summary>
    /// Maps <paramref name="length"/> bytes of native memory at <paramref name="hostAddress"/> (memory the caller
    /// allocated and keeps alive until <see cref="Unmap"/>) to fresh physical addresses.
    /// </summary>
    /// <param name="hostAddress">The host address of the first byte; not 0.</param>
    /// <param name="length">The length in bytes, 1 or more.</param>
    /// <returns>The range; its <see cref="HostMemoryRange.PhysicalAddress"/> has the host address's offset within its page.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hostAddress"/> is 0 or <paramref name="length"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The physical address space is exhausted.</exception>
    public HostMemoryRange Map(nint hostAddress, long length) => MapCore(null, hostAddress, length, default);

    /// <summary>
    /// Maps a managed buffer (a C# driver's "physically contiguous" memory) to fresh physical addresses. The map pins
    /// the buffer until <see cref="Unmap"/>.
    /// </summary>
    /// <param name="memory">The buffer; not empty.</param>
    /// <returns>The range.</returns>
    /// <exception cref="ArgumentException"><paramref name="memory"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The physical address space is exhausted.</exception>
    public unsafe HostMemoryRange Map(Memory<byte> memory)
    {
        if (memory.IsEmpty)
        {
            throw new ArgumentException("An empty buffer cannot be mapped.", nameof(memory));
        }

        var pin = memory.Pin();
        try
        {
            return MapCore(null, (nint)pin.Pointer, memory.Length, pin);
        }
        catch
        {
            pin.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps <paramref name="length"/> bytes at <paramref name="hostAddress"/> at the physical address the caller
    /// chooses (a host that wants a fixed layout, or a device window).
    /// </summary>
    /// <param name="physicalAddress">The physical address of the first byte; not 0; the range must not overlap a mapped one or pass the map's limit.</param>
    /// <param name="hostAddress">The host address of the first byte; not 0.</param>
    /// <param name="length">The length in bytes, 1 or more.</param>
    /// <returns>The range.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An address is 0, the length is not positive, or the range passes the limit.</exception>
    /// <exception cref="InvalidOperationException">The physical range overlaps a mapped range.</exception>
    public HostMemoryRange MapAt(ulong physicalAddress, nint hostAddress, long length)
    {
        ArgumentOutOfRangeException.ThrowIfZero(physicalAddress);
        return MapCore(physicalAddress, hostAddress, length, default);
    }

    /// <summary>Removes <paramref name="range"/>. Its physical addresses never resolve again (they are not reused).</summary>
    /// <returns>True if the range was mapped; false if it was already unmapped or belongs to another map.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="range"/> is null.</exception>
    public bool Unmap(HostMemoryRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        lock (_gate)
        {
            var current = _snapshot;
            var index = Array.IndexOf(current.ByPhysical, range);
            if (index < 0 || !range.Release())
            {
                return false;
            }

            _snapshot = current.Without(range);
            return true;
        }
    }

    /// <summary>
    /// Host to physical, as StorPortGetPhysicalAddress answers: the physical address of <paramref name="hostAddress"/>
    /// and how many bytes are contiguous from there (to the end of its range).
    /// </summary>
    /// <param name="hostAddress">Any host address.</param>
    /// <param name="physicalAddress">The physical address, or 0 if the host address is in no range.</param>
    /// <param name="contiguousLength">Bytes from <paramref name="hostAddress"/> to the end of its range, or 0.</param>
    /// <returns>True if a mapped range holds <paramref name="hostAddress"/> (the most recently mapped one, when ranges overlap in host memory).</returns>
    public bool TryTranslate(nint hostAddress, out ulong physicalAddress, out long contiguousLength)
    {
        var range = Volatile.Read(ref _snapshot).FindHost(hostAddress);
        if (range is null)
        {
            physicalAddress = 0;
            contiguousLength = 0;
            return false;
        }

        var offset = (long)(hostAddress - range.HostAddress);
        physicalAddress = range.PhysicalAddress + (ulong)offset;
        contiguousLength = range.Length - offset;
        return true;
    }

    /// <summary>Physical to host, as a device's DMA engine resolves an access of <paramref name="length"/> bytes.</summary>
    /// <param name="physicalAddress">The physical address of the access's first byte.</param>
    /// <param name="length">The access length in bytes, 1 or more.</param>
    /// <param name="hostAddress">The host address of the first byte, or 0.</param>
    /// <returns>True if the whole access lies inside one mapped range.</returns>
    public bool TryResolve(ulong physicalAddress, long length, out nint hostAddress)
    {
        if (length <= 0)
        {
            hostAddress = 0;
            return false;
        }

        var range = Volatile.Read(ref _snapshot).FindPhysical(physicalAddress);
        if (range is null || (ulong)length > range.PhysicalEnd - physicalAddress)
        {
            hostAddress = 0;
            return false;
        }

        hostAddress = range.HostAddress + (nint)(physicalAddress - range.PhysicalAddress);
        return true;
    }

    /// <summary>Physical to host as a span of the host memory (see <see cref="TryResolve"/>).</summary>
    /// <param name="physicalAddress">The physical address of the access's first byte.</param>
    /// <param name="length">The access length in bytes, 1 or more.</param>
    /// <param name="span">The host bytes, valid while the range stays mapped; empty on failure.</param>
    /// <returns>True if the whole access lies inside one mapped range.</returns>
    public unsafe bool TryGetSpan(ulong physicalAddress, int length, out Span<byte> span)
    {
        if (!TryResolve(physicalAddress, length, out var host))
        {
            span = default;
            return false;
        }

        span = new Span<byte>((void*)host, length);
        return true;
    }

    private HostMemoryRange MapCore(ulong? physicalAddress, nint hostAddress, long length, MemoryHandle pin)
    {
        ArgumentOutOfRangeException.ThrowIfZero(hostAddress);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var pageOffset = (ulong)(hostAddress & (nint)(PageSize - 1));
        lock (_gate)
        {
            var current = _snapshot;
            ulong physical;
            if (physicalAddress is { } fixedAddress)
            {
                if (fixedAddress >= _physicalLimit || (ulong)length > _physicalLimit - fixedAddress)
                {
                    throw new ArgumentOutOfRangeException(nameof(physicalAddress), fixedAddress, $"The range passes the map's physical limit 0x{_physicalLimit:X}.");
                }

                if (current.Overlaps(fixedAddress, (ulong)length) is { } other)
                {
                    throw new InvalidOperationException($"Physical 0x{fixedAddress:X} + {length} overlaps the mapped range {other}.");
                }

                physical = fixedAddress;
            }
            else
            {
                physical = Allocate(current, pageOffset, (ulong)length);
            }

            var range = new HostMemoryRange(physical, hostAddress, length, pin, ++_mappings);
            _snapshot = current.With(range);
            return range;
        }
    }

    /// <summary>Under the lock: the next free physical address with <paramref name="pageOffset"/>, skipping ranges placed with MapAt; advances past it and a guard page.</summary>
    private ulong Allocate(Snapshot current, ulong pageOffset, ulong length)
    {
        var candidate = _nextPhysical + pageOffset;
        while (true)
        {
            if (candidate >= _physicalLimit || length > _physicalLimit - candidate)
            {
                throw new InvalidOperationException($"The host address map's physical space (up to 0x{_physicalLimit:X}) is exhausted.");
            }

            if (current.Overlaps(candidate, length) is not { } other)
            {
                break;
            }

            candidate = AfterWithGuard(other.PhysicalEnd) + pageOffset;
        }

        _nextPhysical = AfterWithGuard(candidate + length);
        return candidate;
    }

    /// <summary>The first page boundary at or after <paramref name="end"/>, plus one unmapped guard page.</summary>
    private ulong AfterWithGuard(ulong end)
    {
        var pages = (end + (ulong)PageSize - 1) / (ulong)PageSize;
        var next = (pages + 1) * (ulong)PageSize;
        return Math.Min(next, _physicalLimit);
    }

    /// <summary>An immutable view of the map: ranges by physical address, and by host address with a running maximum end for overlap-safe search.</summary>
    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new([], [], []);

        private Snapshot(HostMemoryRange[] byPhysical, HostMemoryRange[] byHost, nint[] maxHostEnd)
        {
            ByPhysical = byPhysical;
            ByHost = byHost;
            MaxHostEnd = maxHostEnd;
        }

        public HostMemoryRange[] ByPhysical { get; }

        /// <summary>By host address, then by mapping order (a later mapping of the same start comes later).</summary>
        private HostMemoryRange[] ByHost { get; }

        /// <summary>MaxHostEnd[i]: the largest host end among ByHost[0..i] (so a backward search can stop early).</summary>
        private nint[] MaxHostEnd { get; }

        public Snapshot With(HostMemoryRange range)
        {
            var byPhysical = Insert(ByPhysical, range, r => r.PhysicalAddress < range.PhysicalAddress);
            var byHost = Insert(ByHost, range, r => r.HostAddress <= range.HostAddress);
            return new Snapshot(byPhysical, byHost, MaxEnds(byHost));
        }

        public Snapshot Without(HostMemoryRange range)
        {
            var byHost = ByHost.Where(r => !ReferenceEquals(r, range)).ToArray();
            return new Snapshot([.. ByPhysical.Where(r => !ReferenceEquals(r, range))], byHost, MaxEnds(byHost));
        }

        public HostMemoryRange? FindPhysical(ulong physical)
        {
            // The last range starting at or below the address is the only one that can hold it (physical ranges never overlap).
            var ranges = ByPhysical;
            int lo = 0, hi = ranges.Length - 1, found = -1;
            while (lo <= hi)
            {
                var mid = lo + ((hi - lo) / 2);
                if (ranges[mid].PhysicalAddress <= physical)
                {
                    found = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return found >= 0 && physical < ranges[found].PhysicalEnd ? ranges[found] : null;
        }

        public HostMemoryRange? FindHost(nint host)
        {
            var ranges = ByHost;
            int lo = 0, hi = ranges.Length - 1, last = -1;
            while (lo <= hi)
            {
                var mid = lo + ((hi - lo) / 2);
                if (ranges[mid].HostAddress <= host)
                {
                    last = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            // Host ranges may overlap (one buffer in two transfers): walk back while an earlier range can still reach the address.
            HostMemoryRange? best = null;
            for (var i = last; i >= 0 && MaxHostEnd[i] > host; i--)
            {
                if (ranges[i].ContainsHost(host) && (best is null || ranges[i].Sequence > best.Sequence))
                {
                    best = ranges[i];
                }
            }

            return best;
        }

        public HostMemoryRange? Overlaps(ulong physical, ulong length)
        {
            foreach (var r in ByPhysical)
            {
                if (physical < r.PhysicalEnd && r.PhysicalAddress < physical + length)
                {
                    return r;
                }
            }

            return null;
        }

        private static HostMemoryRange[] Insert(HostMemoryRange[] sorted, HostMemoryRange range, Func<HostMemoryRange, bool> before)
        {
            var index = 0;
            while (index < sorted.Length && before(sorted[index]))
            {
                index++;
            }

            var result = new HostMemoryRange[sorted.Length + 1];
            Array.Copy(sorted, result, index);
            result[index] = range;
            Array.Copy(sorted, index, result, index + 1, sorted.Length - index);
            return result;
        }

        private static nint[] MaxEnds(HostMemoryRange[] byHost)
        {
            var ends = new nint[byHost.Length];
            nint max = 0;
            for (var i = 0; i < byHost.Length; i++)
            {
                max = Math.Max(max, byHost[i].HostAddress + (nint)byHost[i].Length);
                ends[i] = max;
            }

            return ends;
        }
    }
}
