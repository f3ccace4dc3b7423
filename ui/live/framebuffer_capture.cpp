#include "framebuffer_capture.h"

#include <cstring>
#include <vector>

#include "gl_api.h"

namespace dgnam::live {

Image8 read_back_buffer(int width, int height) {
    Image8 image(width, height);
    if (image.empty())
        return image;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
    glReadBuffer(GL_BACK);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, image.rgb.data());
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    // GL's rows run bottom-up; PNG's top-down.
    const std::size_t row = static_cast<std::size_t>(width) * 3;
    std::vector<std::uint8_t> swap(row);
    for (int top = 0, bottom = height - 1; top < bottom; ++top, --bottom) {
        std::uint8_t* a = image.rgb.data() + static_cast<std::size_t>(top) * row;
        std::uint8_t* b = image.rgb.data() + static_cast<std::size_t>(bottom) * row;
        std::memcpy(swap.data(), a, row);
        std::memcpy(a, b, row);
        std::memcpy(b, swap.data(), row);
    }
    return image;
}

}  // namespace dgnam::live
