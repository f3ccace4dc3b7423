#include "dgnam/shape_text.h"

namespace dgnam {

std::string shape_text(c10::IntArrayRef shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

}  // namespace dgnam
