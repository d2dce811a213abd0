# Builds Microsoft's storahci (Storport AHCI miniport) from a checkout of microsoft/Windows-driver-samples, unmodified,
# with this repository's headers and the flags of native/toolchain.mk. Called by storahci.sh; the driver's files are
# only read.
#   make -f native/real-drivers/storahci.mk STORAHCI=<checkout>/storage/miniports/storahci/src OUT=<folder>
MPT_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
include $(MPT_ROOT)/native/toolchain.mk

STORAHCI ?= $(error set STORAHCI to the storage/miniports/storahci/src folder of a Windows-driver-samples checkout)
OUT ?= build/storahci
# The six files src/inbox/storahci.vcxproj compiles. The project defines nothing beyond the WDK's defaults for a
# Windows 10 x64 miniport; its WPP entry only processes storahci.rc (no .tmh is included by the C files).
SOURCES := $(addprefix $(STORAHCI)/,common.c entrypts.c hbastat.c io.c pnppower.c util.c)

# The WDK compiles with MSVC at /W4 /WX; gcc's -Wall -Wextra finds other things in the sample (unused variables in
# DBG-only paths, signed/unsigned compares), which are the sample's and are not ours to fix: they stay warnings.
# io.c does not compile with gcc whatever the headers: io.h declares SRBtoPRDT and SRBtoCmdHeader with a PVOID first
# parameter and io.c defines them with PAHCI_CHANNEL_EXTENSION (MSVC: warning C4028; gcc: conflicting types).
STORAHCI_FLAGS := -I$(STORAHCI) -Wno-unused-variable -Wno-unused-but-set-variable -Wno-sign-compare
.DEFAULT_GOAL := $(OUT)/storahci.so
OBJECTS := $(patsubst $(STORAHCI)/%.c,$(OUT)/%.o,$(SOURCES))

$(OUT)/%.o: $(STORAHCI)/%.c $(wildcard $(MPT_INCLUDE)/*.h $(MPT_INCLUDE)/*/*.h)
	@mkdir -p $(OUT)
	$(MPT_CC) $(MPT_CFLAGS) $(STORAHCI_FLAGS) -c -o $@ $<

$(OUT)/storahci.so: $(OBJECTS) $(MPT_SHIM)
	$(call mpt_driver,$@,$(OBJECTS))
