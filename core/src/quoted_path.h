#pragma once
// How error messages of the file writers and readers name a path: 'path'.
#include <filesystem>
#include <string>

namespace dgnam {

inline std::string quoted(const std::filesystem::path& path) {
    return "'" + path.string() + "'";
}

}  // namespace dgnam
