#!/usr/bin/env bash
# Builds the OpenFabrics NVMe miniport (nvmewin: a Storport driver; a public mirror is github.com/gigaherz/nvmewin)
# from YOUR checkout, unmodified, with this repository's headers and flags, and runs it against the emulated NVMe 1.x
# controller (the Storport scenario on the NVMe model, `--device nvme`), on the virtual clock by default:
#
#   native/real-drivers/nvmewin.sh PATH-TO-nvmewin [--win7] [run options...]
#
# Two flavours, as the project's VS2013_sln_proj/nvme/nvme.vcxproj builds them: the Windows 8 one (the default:
# NTDDI_VERSION > NTDDI_WIN7, extended SRBs, its surprise-removal poll on StorPortInitializeTimer/RequestTimer) and,
# with --win7, the Windows 7 one (SCSI_REQUEST_BLOCKs; no StorPortInitializeTimer: the surprise-removal poll and the
# NVMeRunning start-up state machine share the legacy StorPortNotification(RequestTimerCall) timer). Each builds into
# its own folder, native/build/nvmewin/<flavour>/.
#
# Without run options it runs issue 24's acceptance defaults: `--virtual --device nvme`. Any run options replace them,
# so name the device again: `--device nvme` alone runs it on the real clock (add --dispatchers 2, --duration-ms 5000,
# --driver-debug, --trace FILE, --json FILE, --never-ready, ...).
#
# The driver's source is only read; nothing of it enters this repository (CI has no network and never runs it).
# It needs gcc, make and python3 only: ata.h and scsi.h are ours (native/include). Exit codes: 0 the run ended with no
# bug check; 1 a bug check or a failed run; 2 bad usage; 3 the driver does not build yet against native/include (the
# script lists what it is missing).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
checkout="${1:-}"
if [ -z "$checkout" ] || [ ! -f "$checkout/source/nvmeStd.c" ]; then
  echo "usage: native/real-drivers/nvmewin.sh PATH-TO-nvmewin [--win7] [run options]" >&2
  echo "  (the folder must contain source/nvmeStd.c)" >&2
  exit 2
fi
shift
flavour=win8
if [ "${1:-}" = "--win7" ]; then
  flavour=win7
  shift
fi
if ! command -v python3 > /dev/null; then
  echo "the build generates nvmeMofData.h from the driver's nvmeMofData.mof with python3 (native/real-drivers/wmimofck.py): install python3." >&2
  exit 3
fi
out="$root/native/build/nvmewin/$flavour"
mkdir -p "$out"
log="$out/build.log"
if ! make -s -f "$root/native/real-drivers/nvmewin.mk" NVMEWIN="$checkout/source" OUT="$out" FLAVOUR="$flavour" > "$log" 2>&1; then
  echo "nvmewin ($flavour) does not build yet against native/include. What the headers or the bridge are missing (first errors of each file):"
  grep -oE "unknown type name ‘[A-Za-z_0-9]+’|implicit declaration of function ‘[A-Za-z_0-9]+’|‘[A-Za-z_0-9]+’ undeclared|undefined reference to \`[A-Za-z_0-9]+'" "$log" \
    | sed -E "s/.*[‘\`]([A-Za-z_0-9]+)[’'].*/\1/" | sort -u | tr '\n' ' '
  echo
  echo "Full compiler output: $log. docs/native.md (\"OFA nvmewin\") lists what is implemented so far."
  exit 3
fi
if [ $# -eq 0 ]; then
  set -- --virtual --device nvme
fi
exec dotnet run --project "$root/src/MiniportTimers.Cli" -c Release -- run --driver "$out/nvme.so:storport" "$@"
