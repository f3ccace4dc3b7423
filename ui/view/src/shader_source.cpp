#include "dgnam/view/shader_source.h"

#include <fstream>
#include <sstream>

#include "dgnam/error.h"

namespace dgnam::view {

std::string read_shader_file(const std::filesystem::path& directory, const std::string& file_name) {
    const std::filesystem::path path = directory / file_name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw dgnam::Error("cannot open shader file '" + path.string() +
                           "': check that the shaders folder (share/dgnam/shaders once "
                           "installed) is complete");
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw dgnam::Error("cannot read shader file '" + path.string() + "'");
    }
    if (text.str().empty()) {
        throw dgnam::Error("shader file '" + path.string() + "' is empty");
    }
    return text.str();
}

}  // namespace dgnam::view
