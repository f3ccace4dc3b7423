#pragma once
// Time since a point of the steady clock, for step times, benchmark rounds and training time.
#include <chrono>

namespace dgnam {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace dgnam
