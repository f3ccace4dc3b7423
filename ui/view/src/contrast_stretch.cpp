#include "dgnam/view/contrast_stretch.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "dgnam/error.h"

namespace dgnam::view {

namespace {

// The value (0..255) at index `rank` of the sorted values that the histogram counts.
int value_at_rank(const std::array<std::size_t, 256>& histogram, std::size_t rank) {
    std::size_t seen = 0;
    for (int value = 0; value < 256; ++value) {
        seen += histogram[static_cast<std::size_t>(value)];
        if (seen > rank) {
            return value;
        }
    }
    return 255;
}

std::size_t rank_of(double pct, std::size_t count) {
    return static_cast<std::size_t>(std::floor(pct / 100.0 * static_cast<double>(count - 1)));
}

}  // namespace

PercentileRange percentile_range(const dgnam::Image8& image, double low_pct, double high_pct) {
    if (!(0.0 <= low_pct && low_pct < high_pct && high_pct <= 100.0)) {
        std::ostringstream message;
        message << "contrast stretch percentiles " << low_pct << " and " << high_pct
                << " are invalid: give 0 <= low < high <= 100";
        throw dgnam::Error(message.str());
    }
    if (image.empty() || image.rgb.empty()) {
        return kFixedRange;
    }
    std::array<std::size_t, 256> histogram{};
    for (const std::uint8_t value : image.rgb) {
        ++histogram[value];
    }
    const std::size_t count = image.rgb.size();
    const int low = value_at_rank(histogram, rank_of(low_pct, count));
    const int high = value_at_rank(histogram, rank_of(high_pct, count));
    if (high <= low) {
        return kFixedRange;
    }
    return {low / 255.0, high / 255.0};
}

SmoothedStretch::SmoothedStretch(double old_weight) : old_weight_(old_weight) {
    if (!(old_weight >= 0.0 && old_weight < 1.0)) {
        std::ostringstream message;
        message << "contrast smoothing weight " << old_weight
                << " is invalid: give a value in [0, 1)";
        throw dgnam::Error(message.str());
    }
}

PercentileRange SmoothedStretch::update(const PercentileRange& range) {
    if (!has_range_) {
        range_ = range;
        has_range_ = true;
        return range_;
    }
    const double new_weight = 1.0 - old_weight_;
    range_.low = old_weight_ * range_.low + new_weight * range.low;
    range_.high = old_weight_ * range_.high + new_weight * range.high;
    return range_;
}

}  // namespace dgnam::view
