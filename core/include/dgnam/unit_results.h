#pragma once
// The finished preferred images of a session, one per (classifier, layer, unit); a newer result
// for the same unit replaces the older. Front ends show them as thumbnails and export them.
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "dgnam/worker.h"

namespace dgnam {

class UnitResults {
  public:
    void add(const UnitResult& result);
    const UnitResult* find(const std::string& classifier, const std::string& layer,
                           std::int64_t unit) const;
    // The results of one classifier, ordered by `layer_order` (layers not in it last, by name)
    // and then by unit.
    std::vector<const UnitResult*> of_classifier(const std::string& classifier,
                                                 const std::vector<std::string>& layer_order) const;
    std::size_t size() const { return results_.size(); }
    void clear() { results_.clear(); }

  private:
    using Key = std::tuple<std::string, std::string, std::int64_t>;
    std::map<Key, UnitResult> results_;
};

}  // namespace dgnam
