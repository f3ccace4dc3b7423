#pragma once
// The middle of repeated timings (the upper middle of an even count): a shared machine's noise
// only ever slows a run, so the median is the steadier figure.
#include <algorithm>
#include <vector>

namespace dgnam {

inline double median(std::vector<double> values) {
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

}  // namespace dgnam
