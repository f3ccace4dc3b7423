#pragma once
// What the window shows, read back for the scripted mode's screenshot.
#include "dgnam/image.h"

namespace dgnam::live {

// The default framebuffer's back buffer after rendering (call before swapping), top row first.
Image8 read_back_buffer(int width, int height);

}  // namespace dgnam::live
