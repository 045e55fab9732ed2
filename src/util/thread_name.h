#pragma once
// Names the calling thread as `top -H`, `ps -L`, gdb and perf show it ("paddock-" is left out:
// Linux keeps 15 characters).
#include <pthread.h>

#include <string>

namespace paddock {

inline void set_thread_name(const std::string& name) {
  ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace paddock
