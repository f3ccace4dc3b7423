#pragma once
// The pictures a run shows while it forms: each step's first image turned into RGB bytes on the
// worker, into buffers that are recycled once no front end holds them any more, so that a run of
// thousands of steps allocates a handful of images rather than one per step. Images on a GPU come
// back through one page-locked (pinned) host buffer, which the copy engine reads directly.
#include <ATen/Tensor.h>

#include <memory>
#include <mutex>
#include <vector>

#include "dgnam/display_mapping.h"
#include "dgnam/image.h"
#include "dgnam/pixel_space.h"

namespace dgnam {

class FrameImages {
  public:
    FrameImages(DisplayMapping display, PixelSpace space);

    // image: [C, H, W] on any device. The returned image is not written again while anyone
    // holds it.
    std::shared_ptr<const Image8> convert(const at::Tensor& image);

    // Buffers made so far: stays small when the front end lets go of old frames.
    std::size_t buffers_made() const { return made_; }

  private:
    // Where a frame's buffer goes back when its last holder, on any thread, lets go of it. Shared
    // with the frames' deleters, so that frames may outlive this object.
    struct FreeBuffers {
        std::mutex mutex;
        std::vector<std::unique_ptr<Image8>> buffers;
    };
    std::unique_ptr<Image8> take_buffer();

    DisplayMapping display_;
    PixelSpace space_;
    at::Tensor host_;  // pinned, for images from a GPU; reused while the shape stays
    std::shared_ptr<FreeBuffers> free_ = std::make_shared<FreeBuffers>();
    std::size_t made_ = 0;
};

}  // namespace dgnam
