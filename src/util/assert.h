#pragma once
// PADDOCK_ASSERT checks a cheap invariant in every build type (release included): a broken
// invariant in a coordination service must stop the process, not corrupt replicated state.
#include <cstdio>
#include <cstdlib>

#define PADDOCK_ASSERT(cond)                                                              \
  do {                                                                                    \
    if (!(cond)) [[unlikely]] {                                                           \
      std::fprintf(stderr, "paddock: assertion failed: %s at %s:%d\n", #cond, __FILE__,   \
                   __LINE__);                                                             \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
