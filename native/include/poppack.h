/* MiniportTimers: restores the packing pshpack1.h saved (Windows' poppack.h). Included more than once. */
#pragma pack(pop)
