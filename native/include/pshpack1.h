/* MiniportTimers: 1-byte packing until the matching poppack.h (Windows' pshpack1.h). Included more than once. */
#pragma pack(push, 1)
