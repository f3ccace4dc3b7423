#include "activation_history.h"

#include <cstddef>

namespace dgnam::live {

void ActivationHistory::record(int iteration, double activation,
                               std::optional<double> probability) {
    if (iteration < 0)
        return;
    const auto index = static_cast<std::size_t>(iteration);
    if (index < activation_.size()) {
        activation_.resize(index);
        probability_.resize(has_probability_ ? index : 0);
    }
    if (activation_.empty())
        has_probability_ = probability.has_value();
    has_probability_ = has_probability_ && probability.has_value();
    if (!has_probability_)
        probability_.clear();

    // Missed iterations hold the last value seen, so the curve has no false dips to zero.
    const float fill = activation_.empty() ? static_cast<float>(activation) : activation_.back();
    activation_.resize(index, fill);
    activation_.push_back(static_cast<float>(activation));
    if (has_probability_) {
        const float p = static_cast<float>(*probability);
        probability_.resize(index, probability_.empty() ? p : probability_.back());
        probability_.push_back(p);
    }
}

void ActivationHistory::clear() {
    activation_.clear();
    probability_.clear();
    has_probability_ = true;
}

}  // namespace dgnam::live
