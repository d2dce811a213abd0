# Builds ReactOS's pcnet (NDIS 5.1) from a checkout of reactos/reactos, unmodified, with this repository's headers and
# the flags of native/toolchain.mk. Called by pcnet.sh; the driver's files are only read.
#   make -f native/real-drivers/pcnet.mk PCNET=<checkout>/drivers/network/dd/pcnet OUT=<folder>
MPT_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
include $(MPT_ROOT)/native/toolchain.mk

PCNET ?= $(error set PCNET to the drivers/network/dd/pcnet folder of a ReactOS checkout)
OUT ?= build/pcnet
# CMakeLists.txt: SOURCE is pcnet.c and requests.c (pcnet.h is the precompiled header, pcnet.rc the version resource).
SOURCES := $(addprefix $(PCNET)/,pcnet.c requests.c)

# CMakeLists.txt's add_definitions: NDIS50_MINIPORT, NDIS_MINIPORT_DRIVER, NDIS_LEGACY_MINIPORT=1, NDIS51_MINIPORT.
# native/real-drivers/reactos/ holds our stand-in for the ReactOS build environment's <debug.h>.
# The driver says it "assumes a 32-bit machine": it keeps pointers in ULONGs in its debug prints and reads 16-bit
# registers into ULONGs through NdisRawReadPortUshort, which gcc warns about; those warnings are left on, not errors.
PCNET_FLAGS := -DNDIS50_MINIPORT -DNDIS_MINIPORT_DRIVER -DNDIS_LEGACY_MINIPORT=1 -DNDIS51_MINIPORT \
  -I$(PCNET) -I$(MPT_ROOT)/native/real-drivers/reactos
.DEFAULT_GOAL := $(OUT)/pcnet.so
OBJECTS := $(patsubst $(PCNET)/%.c,$(OUT)/%.o,$(SOURCES))

$(OUT)/%.o: $(PCNET)/%.c $(wildcard $(PCNET)/*.h) $(wildcard $(MPT_INCLUDE)/*.h $(MPT_INCLUDE)/*/*.h) $(MPT_ROOT)/native/real-drivers/reactos/debug.h
	@mkdir -p $(OUT)
	$(MPT_CC) $(MPT_CFLAGS) $(PCNET_FLAGS) -c -o $@ $<

$(OUT)/pcnet.so: $(OBJECTS) $(MPT_SHIM)
	$(call mpt_driver,$@,$(OBJECTS))
