#pragma once
// Shader files read at run time, for front ends that load them from the installed
// share/dgnam/shaders folder rather than from compiled-in text.
#include <filesystem>
#include <string>

namespace dgnam::view {

// The text of directory/file_name. Throws dgnam::Error naming the file when it cannot be read
// or is empty.
std::string read_shader_file(const std::filesystem::path& directory, const std::string& file_name);

}  // namespace dgnam::view
