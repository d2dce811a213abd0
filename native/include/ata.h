/*
 * MiniportTimers: the ATA definitions (IDENTIFY_DEVICE_DATA, IDE_COMMAND_*, ATA_FLAGS_*, ...) from mingw-w64's
 * installed ddk/ata.h, not a copy of it (see mpt/ddk.h). The sizes drivers depend on are asserted here.
 */
#pragma once

#include "ntdef.h"
#include "mpt/ddk.h"
#include MPT_DDK_HEADER(ata.h)

C_ASSERT(sizeof(IDENTIFY_DEVICE_DATA) == 512);
