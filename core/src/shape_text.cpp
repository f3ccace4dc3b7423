#include "dgnam/shape_text.h"

namespace dgnam {

std::string shape_text(c10::IntArrayRef shape) {
    return "[" + joined_sizes(shape, ", ") + "]";
}

std::string joined_sizes(c10::IntArrayRef shape, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < shape.size(); ++i)
        out += (i ? separator : "") + std::to_string(shape[i]);
    return out;
}

}  // namespace dgnam
