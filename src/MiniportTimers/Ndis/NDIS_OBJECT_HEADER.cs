namespace MiniportTimers.Ndis;

/// <summary>The header of every NDIS structure: type, revision and size.</summary>
/// <param name="Type">NDIS_OBJECT_TYPE_* (0x97 for timer characteristics).</param>
/// <param name="Revision">The structure revision.</param>
/// <param name="Size">The structure size in bytes.</param>
public readonly record struct NDIS_OBJECT_HEADER(byte Type, byte Revision, ushort Size);
