#pragma once
// The core's 8-bit RGB image as a QImage (a deep copy, safe to keep).
#include <QImage>

#include "dgnam/image.h"

namespace dgnam::studio {

QImage to_qimage(const Image8& image);

}  // namespace dgnam::studio
