#include "unit_filter.h"

#include <algorithm>
#include <cctype>

namespace dgnam::live {
namespace {

std::string trimmed(const std::string& text) {
    const auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
    auto first = std::find_if_not(text.begin(), text.end(), is_space);
    auto last = std::find_if_not(text.rbegin(), text.rend(), is_space).base();
    return first < last ? std::string(first, last) : std::string();
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool is_whole_number(const std::string& text) {
    return !text.empty() && text.size() < 19 &&
           std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

std::vector<UnitEntry> layer_units(const Classifier& classifier, const std::string& layer) {
    const std::int64_t count = classifier.layer(layer).units();
    std::vector<UnitEntry> entries;
    entries.reserve(static_cast<std::size_t>(count));
    for (std::int64_t unit = 0; unit < count; ++unit)
        entries.push_back(UnitEntry{unit, classifier.label_of(layer, unit)});
    return entries;
}

bool unit_matches(const UnitEntry& entry, const std::string& filter) {
    const std::string text = trimmed(filter);
    if (text.empty())
        return true;
    if (is_whole_number(text))
        return std::stoll(text) == entry.unit;
    return lower(entry.label).find(lower(text)) != std::string::npos;
}

std::vector<UnitEntry> filter_units(const std::vector<UnitEntry>& entries,
                                    const std::string& filter) {
    std::vector<UnitEntry> shown;
    for (const UnitEntry& entry : entries)
        if (unit_matches(entry, filter))
            shown.push_back(entry);
    return shown;
}

std::string unit_caption(const UnitEntry& entry) {
    std::string caption = std::to_string(entry.unit);
    if (!entry.label.empty())
        caption += "  " + entry.label;
    return caption;
}

}  // namespace dgnam::live
