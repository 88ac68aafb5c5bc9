// Shared helpers for the fuzz targets: a check that aborts (so libFuzzer
// records the input as a crash) with a message naming the broken property.
#ifndef RARELEDGER_FUZZ_FUZZ_UTIL_H_
#define RARELEDGER_FUZZ_FUZZ_UTIL_H_

#include <cstdio>
#include <cstdlib>

#define RL_FUZZ_CHECK(cond, what)                                                     \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "RL_FUZZ_CHECK failed at %s:%d: %s: %s\n", __FILE__,      \
                   __LINE__, #cond, (what));                                          \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

#endif  // RARELEDGER_FUZZ_FUZZ_UTIL_H_
