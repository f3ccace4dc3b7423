#include "dgnam/unit_results.h"

#include <algorithm>

namespace dgnam {

void UnitResults::add(const UnitResult& result) {
    results_[Key{result.classifier, result.layer, result.unit}] = result;
}

const UnitResult* UnitResults::find(const std::string& classifier, const std::string& layer,
                                    std::int64_t unit) const {
    auto it = results_.find(Key{classifier, layer, unit});
    return it == results_.end() ? nullptr : &it->second;
}

std::vector<const UnitResult*> UnitResults::of_classifier(
    const std::string& classifier, const std::vector<std::string>& layer_order) const {
    auto rank = [&](const std::string& layer) {
        auto it = std::find(layer_order.begin(), layer_order.end(), layer);
        return static_cast<std::size_t>(it - layer_order.begin());
    };
    std::vector<const UnitResult*> found;
    for (const auto& [key, result] : results_)
        if (std::get<0>(key) == classifier)
            found.push_back(&result);
    std::stable_sort(found.begin(), found.end(), [&](const UnitResult* a, const UnitResult* b) {
        return std::make_tuple(rank(a->layer), a->layer, a->unit) <
               std::make_tuple(rank(b->layer), b->layer, b->unit);
    });
    return found;
}

}  // namespace dgnam
