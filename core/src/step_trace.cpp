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

}  // namespace dgnam
