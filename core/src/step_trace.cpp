#include "dgnam/step_trace.h"

namespace dgnam {

void StepTrace::append(const TracePoint& point) {
    if (tail_.capacity() < kChunk)
        tail_.reserve(kChunk);
    tail_.push_back(point);
    if (tail_.size() == kChunk) {
        full_.push_back(std::make_shared<const std::vector<TracePoint>>(std::move(tail_)));
        tail_ = {};
    }
}

const TracePoint& StepTrace::operator[](std::size_t index) const {
    const std::size_t chunk = index / kChunk;
    if (chunk < full_.size())
        return (*full_[chunk])[index % kChunk];
    return tail_[index - full_.size() * kChunk];
}

}  // namespace dgnam
