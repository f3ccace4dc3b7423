#include "dgnam/unit_selection.h"

#include <set>
#include <sstream>

#include "dgnam/error.h"

namespace dgnam {
namespace {

std::int64_t parse_index(const std::string& text, const std::string& part) {
    std::size_t used = 0;
    long long v = -1;
    try {
        v = std::stoll(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.empty() || used != text.size() || v < 0)
        throw Error("unit selection: \"" + part + "\" is not a unit number or a range like 0-9");
    return v;
}

}  // namespace

std::vector<std::int64_t> parse_unit_selection(const std::string& text, std::int64_t count) {
    std::vector<std::int64_t> units;
    if (text == "all") {
        for (std::int64_t u = 0; u < count; ++u)
            units.push_back(u);
        return units;
    }
    std::set<std::int64_t> seen;
    std::stringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ',')) {
        const auto dash = part.find('-');
        std::int64_t first = 0, last = 0;
        if (dash == std::string::npos) {
            first = last = parse_index(part, part);
        } else {
            first = parse_index(part.substr(0, dash), part);
            last = parse_index(part.substr(dash + 1), part);
            if (last < first)
                throw Error("unit selection: range \"" + part + "\" runs backwards");
        }
        if (last >= count)
            throw Error("unit selection: unit " + std::to_string(last) +
                        " is out of range; the layer has units 0 to " + std::to_string(count - 1));
        for (auto u = first; u <= last; ++u)
            if (seen.insert(u).second)
                units.push_back(u);
    }
    if (units.empty())
        throw Error("unit selection \"" + text + "\" names no unit");
    return units;
}

}  // namespace dgnam
