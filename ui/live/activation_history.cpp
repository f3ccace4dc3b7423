#include "activation_history.h"

#include <cstddef>

namespace dgnam::live {

void ActivationHistory::update(const StepTrace& trace) {
    if (trace.size() < activation_.size())
        clear();
    for (std::size_t i = activation_.size(); i < trace.size(); ++i) {
        const TracePoint& point = trace[i];
        has_probability_ = has_probability_ && point.probability.has_value();
        if (has_probability_)
            probability_.push_back(static_cast<float>(*point.probability));
        else
            probability_.clear();
        activation_.push_back(static_cast<float>(point.activation));
    }
}

void ActivationHistory::clear() {
    activation_.clear();
    probability_.clear();
    has_probability_ = true;
}

}  // namespace dgnam::live
