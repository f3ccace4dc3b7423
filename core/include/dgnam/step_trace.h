#pragma once
// The first row's activation (and probability) at every step of a batch, for a live plot.
// Frames pass through a latest-frame mailbox and a screen reads only some of them, so each frame
// carries the whole trace: nothing the screen missed is lost. Full chunks are immutable and shared
// between copies, so a copy costs one pointer per kChunk steps plus the unfinished chunk.
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

namespace dgnam {

struct TracePoint {
    double activation = 0.0;            // raw, pre-softmax, as RowStep reports it
    std::optional<double> probability;  // when the objective is on the output layer
};

class StepTrace {
  public:
    static constexpr std::size_t kChunk = 256;

    void append(const TracePoint& point);
    std::size_t size() const { return full_.size() * kChunk + tail_.size(); }
    bool empty() const { return size() == 0; }
    // Point `index` is the step of iteration `index` (0-based); index < size().
    const TracePoint& operator[](std::size_t index) const;

  private:
    std::vector<std::shared_ptr<const std::vector<TracePoint>>> full_;
    std::vector<TracePoint> tail_;
};

}  // namespace dgnam
