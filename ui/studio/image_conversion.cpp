#include "image_conversion.h"

namespace dgnam::studio {

QImage to_qimage(const Image8& image) {
    if (image.empty())
        return {};
    const QImage view(image.rgb.data(), image.width, image.height, image.width * 3,
                      QImage::Format_RGB888);
    return view.copy();
}

}  // namespace dgnam::studio
