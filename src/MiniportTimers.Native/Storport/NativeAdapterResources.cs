using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MiniportTimers.Storport;

namespace MiniportTimers.Native.Storport;

/// <summary>
/// What a native Storport adapter allocated through the DDIs and the host must free with it: pool blocks
/// (StorPortAllocatePool), DMA memory (StorPortAllocateDmaMemory), workers (StorPortInitializeWorker) and its registry
/// values (StorPortRegistryWriteAdapterKey, kept in memory as NDIS configuration is). One per adapter, created on first
/// use, released when the adapter is removed (a pool block or worker still allocated then is a finding, as Driver
/// Verifier reports pool leaked at unload). Thread-safe.
/// </summary>
internal sealed unsafe class NativeAdapterResources
{
    private static readonly ConcurrentDictionary<StorportAdapter, NativeAdapterResources> ByAdapter = new(ReferenceEqualityComparer.Instance);

    private readonly ConcurrentDictionary<nint, (uint Bytes, uint Tag, bool Dma)> _pool = new();
    private readonly ConcurrentDictionary<nint, long> _dmaMemory = new();
    private readonly ConcurrentDictionary<string, (uint Type, byte[] Data)> _registry = new(StringComparer.OrdinalIgnoreCase);

    private NativeAdapterResources(StorportAdapter adapter) => Adapter = adapter;

    public StorportAdapter Adapter { get; }

    private readonly ConcurrentStack<(nint Block, uint Bytes)> _srbExtensions = new();

    /// <summary>
    /// An SRB extension for a request (the host's, not the miniport's allocation): a device-reachable block from the
    /// adapter's pool, mapped once in the device's address map and zeroed here, so a request costs no mapping. Blocks
    /// are freed with the adapter's device (AdapterHardware.Dispose), never counted as the miniport's.
    /// </summary>
    public nint RentSrbExtension(uint bytes)
    {
        while (_srbExtensions.TryPop(out var pooled))
        {
            if (pooled.Bytes >= bytes)
            {
                NativeMemory.Clear((void*)pooled.Block, bytes);
                return pooled.Block;
            }

            Adapter.Hardware!.FreeDma(pooled.Block); // the configured size grew: drop the smaller block
        }

        return Adapter.Hardware!.AllocateDma(bytes, 128).HostAddress;
    }

    /// <summary>Gives an SRB extension back to the pool at the request's completion.</summary>
    public void ReturnSrbExtension(nint block, uint bytes) => _srbExtensions.Push((block, bytes));

    /// <summary>Workers by their handle (the address of a host-allocated token).</summary>
    public ConcurrentDictionary<nint, NativeWorker> Workers { get; } = new();

    /// <summary>Native memory the adapter's per-request scratch lists use (none kept here).</summary>
    public static NativeAdapterResources For(StorportAdapter adapter) => ByAdapter.GetOrAdd(adapter, static a => new NativeAdapterResources(a));

    /// <summary>Pool: zeroed; in the device's DMA memory when the adapter has a device (nonpaged pool has physical addresses).</summary>
    public nint AllocatePool(uint bytes, uint tag)
    {
        nint block;
        var dma = Adapter.Hardware is not null;
        if (Adapter.Hardware is { } hardware)
        {
            (block, _) = hardware.AllocateDma(Math.Max(bytes, 1u), 16);
        }
        else
        {
            block = (nint)NativeMemory.AllocZeroed(Math.Max(bytes, 1u));
        }

        _pool[block] = (bytes, tag, dma);
        return block;
    }

    public bool FreePool(nint block)
    {
        if (!_pool.TryRemove(block, out var entry))
        {
            return false;
        }

        FreeBlock(block, entry.Dma);
        return true;
    }

    public (nint Host, ulong Physical)? AllocateDma(long bytes)
    {
        if (Adapter.Hardware is not { } hardware)
        {
            return null;
        }

        var block = hardware.AllocateDma(bytes);
        _dmaMemory[block.HostAddress] = bytes;
        return block;
    }

    public bool FreeDma(nint block) => _dmaMemory.TryRemove(block, out _) && Adapter.Hardware!.FreeDma(block);

    public void WriteRegistry(string key, uint type, byte[] data) => _registry[key] = (type, data);

    public bool TryReadRegistry(string key, out uint type, out byte[] data)
    {
        var found = _registry.TryGetValue(key, out var entry);
        (type, data) = entry;
        data ??= [];
        return found;
    }

    /// <summary>The adapter was removed: frees what is left and names it.</summary>
    /// <returns>What the miniport never freed (for the finding), empty when it freed everything.</returns>
    public static string? Release(StorportAdapter adapter)
    {
        if (!ByAdapter.TryRemove(adapter, out var resources))
        {
            return null;
        }

        var leaked = new List<string>();
        foreach (var (block, entry) in resources._pool)
        {
            leaked.Add($"pool block of {entry.Bytes} bytes (tag 0x{entry.Tag:X8})");
            resources.FreeBlock(block, entry.Dma);
        }

        resources._pool.Clear();
        foreach (var block in resources._dmaMemory.Keys)
        {
            leaked.Add("DMA memory block");
            adapter.Hardware?.FreeDma(block);
        }

        foreach (var worker in resources.Workers.Values)
        {
            leaked.Add("worker");
            worker.Dispose();
        }

        return leaked.Count == 0 ? null : string.Join(", ", leaked);
    }

    private void FreeBlock(nint block, bool dma)
    {
        if (dma)
        {
            Adapter.Hardware?.FreeDma(block);
        }
        else
        {
            NativeMemory.Free((void*)block);
        }
    }
}

/// <summary>A StorPortInitializeWorker worker: its handle is a host-allocated token; its queued callback is an engine timer.</summary>
internal sealed unsafe class NativeWorker : IDisposable
{
    public NativeWorker() => Handle = (nint)NativeMemory.AllocZeroed(16);

    /// <summary>The PVOID the miniport holds.</summary>
    public nint Handle { get; private set; }

    /// <summary>1 while a work item is queued and has not started.</summary>
    public int Queued;

    public void Dispose()
    {
        if (Handle != 0)
        {
            NativeMemory.Free((void*)Handle);
            Handle = 0;
        }
    }
}
