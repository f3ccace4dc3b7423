#pragma once
// How shapes are written: "[2, 3, 4]" in error messages, "32x28x28" in layer lists.
#include <c10/util/ArrayRef.h>

#include <cstdint>
#include <string>

namespace dgnam {

std::string shape_text(c10::IntArrayRef shape);
// The sizes joined by `separator`, without brackets: "32x28x28", or "60000 x 28 x 28".
std::string joined_sizes(c10::IntArrayRef shape, const char* separator = "x");

}  // namespace dgnam
