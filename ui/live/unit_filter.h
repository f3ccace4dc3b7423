#pragma once
// The unit picker's list and its filter box, without any toolkit: which units of a layer are
// shown for the text the user typed.
#include <cstdint>
#include <string>
#include <vector>

#include "dgnam/classifier.h"

namespace dgnam::live {

struct UnitEntry {
    std::int64_t unit = 0;
    std::string label;  // the class name on a labelled output layer, else ""
};

// Every unit of `layer` with its label. Throws dgnam::Error for an unknown layer.
std::vector<UnitEntry> layer_units(const Classifier& classifier, const std::string& layer);

// The filter as the studio's tree applies it: empty (or blank) shows everything; a whole number
// shows that unit; any other text shows the units whose label contains it, ignoring case.
bool unit_matches(const UnitEntry& entry, const std::string& filter);

// The entries that match, in their order.
std::vector<UnitEntry> filter_units(const std::vector<UnitEntry>& entries,
                                    const std::string& filter);

// "7  Sneaker", or "7" without a label: the text a picker shows for the unit.
std::string unit_caption(const UnitEntry& entry);

}  // namespace dgnam::live
