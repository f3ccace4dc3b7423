#pragma once
// "[2, 3, 4]": how every error message writes a tensor shape.
#include <c10/util/ArrayRef.h>

#include <cstdint>
#include <string>

namespace dgnam {

std::string shape_text(c10::IntArrayRef shape);

}  // namespace dgnam
