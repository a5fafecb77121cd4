/* Fleet Faasm SDK: the one header a function needs (the C API of core.h). */
#ifndef FLEET_FAASM_FAASM_H
#define FLEET_FAASM_FAASM_H

#include "faasm/core.h"

#endif
