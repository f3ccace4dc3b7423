#pragma once
// Parses a user's choice of units: "all", "7", "0-9", "1,3,8-11".
#include <cstdint>
#include <string>
#include <vector>

namespace dgnam {

// `count` is the layer's unit count. Throws dgnam::Error naming the part that is malformed or
// out of range. Keeps the order given and drops repeats.
std::vector<std::int64_t> parse_unit_selection(const std::string& text, std::int64_t count);

}  // namespace dgnam
