/* MiniportTimers: 4-byte packing until the matching poppack.h (Windows' pshpack4.h). Included more than once. */
#pragma pack(push, 4)
