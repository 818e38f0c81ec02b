// A tiny invariant check for the fuzz targets: traps (a crash libFuzzer records) when false.
#pragma once

#define URSYNC_FUZZ_CHECK(cond)        \
    do {                               \
        if (!(cond)) __builtin_trap(); \
    } while (0)
