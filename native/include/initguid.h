/* MiniportTimers: include before the headers whose DEFINE_GUIDs this file must define (guiddef.h). */
#define INITGUID
#include "guiddef.h"
