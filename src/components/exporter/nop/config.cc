// The nop exporter has no keys; unknown ones are reported by the factory's MapReader.
#include "components/exporter/nop/config.h"
