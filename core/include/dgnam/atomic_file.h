#pragma once
// Every file the project writes goes through here: the bytes land in a temporary file in the
// target's folder and are renamed into place, so a crash or a full disk never leaves a
// half-written file where a good one was.
#include <filesystem>
#include <string_view>

namespace dgnam {

// Throws dgnam::Error naming the target and the system's reason (read-only folder, disk full...).
// The previous content of `target`, if any, is intact when it throws.
void write_file_atomically(const std::filesystem::path& target, std::string_view bytes);

}  // namespace dgnam
