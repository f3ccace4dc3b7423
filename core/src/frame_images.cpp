#include "dgnam/frame_images.h"

#include <ATen/ATen.h>

namespace dgnam {
namespace {

// Buffers kept for reuse: the mailbox's newest frame, the one a front end is drawing and one
// being written need three.
constexpr std::size_t kKeptBuffers = 4;

}  // namespace

FrameImages::FrameImages(DisplayMapping display, PixelSpace space)
    : display_(display), space_(std::move(space)) {}

std::unique_ptr<Image8> FrameImages::take_buffer() {
    {
        std::lock_guard<std::mutex> lock(free_->mutex);
        if (!free_->buffers.empty()) {
            auto buffer = std::move(free_->buffers.back());
            free_->buffers.pop_back();
            return buffer;
        }
    }
    ++made_;
    return std::make_unique<Image8>();
}

std::shared_ptr<const Image8> FrameImages::convert(const at::Tensor& image) {
    at::Tensor cpu = image.detach();
    if (cpu.is_cuda()) {
        if (!host_.defined() || host_.sizes() != cpu.sizes())
            host_ =
                at::empty(cpu.sizes(), at::TensorOptions().dtype(at::kFloat).pinned_memory(true));
        host_.copy_(cpu);
        cpu = host_;
    } else {
        cpu = cpu.to(at::kFloat).contiguous();
    }
    auto buffer = take_buffer();
    display_.write_rgb8(cpu, space_, *buffer);
    // The mutex orders the last holder's reads before the buffer is written again.
    return std::shared_ptr<Image8>(buffer.release(), [free = free_](Image8* done) {
        std::unique_ptr<Image8> owned(done);
        std::lock_guard<std::mutex> lock(free->mutex);
        if (free->buffers.size() < kKeptBuffers)
            free->buffers.push_back(std::move(owned));
    });
}

}  // namespace dgnam
