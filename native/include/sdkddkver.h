/*
 * MiniportTimers: the Windows version constants a driver compares NTDDI_VERSION with (the "Using the Windows Headers"
 * page, NTDDI_* values: major.minor in the high word, service pack or release in the low). The WDK defines
 * NTDDI_VERSION from a project's <TargetVersion> (Windows7: 0x06010000, Windows8: 0x06020000); a build that does not
 * define it gets Windows 10's, the target of every other driver these headers build. Checked against mingw-w64's
 * sdkddkver.h by the ABI check.
 */
#pragma once

#define NTDDI_WIN7 0x06010000
#define NTDDI_WIN8 0x06020000
#define NTDDI_WINBLUE 0x06030000
#define NTDDI_WINTHRESHOLD 0x0A000000
#define NTDDI_WIN10 0x0A000000

#define _WIN32_WINNT_WIN7 0x0601
#define _WIN32_WINNT_WIN8 0x0602
#define _WIN32_WINNT_WINBLUE 0x0603
#define _WIN32_WINNT_WIN10 0x0A00

#ifndef NTDDI_VERSION
#define NTDDI_VERSION NTDDI_WIN10
#endif
