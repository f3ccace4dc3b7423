#include "dgnam/bound_file.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "dgnam/error.h"

namespace dgnam {

std::vector<float> read_bound_file(const std::filesystem::path& path, long expected_count) {
    std::ifstream in(path);
    if (!in)
        throw Error(path.string() + ": cannot open the bound file");
    std::vector<float> values;
    std::string token;
    while (in >> token) {
        std::size_t used = 0;
        double v = 0.0;
        try {
            v = std::stod(token, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != token.size() || !std::isfinite(v))
            throw Error(path.string() + ": value " + std::to_string(values.size() + 1) + " (\"" +
                        token.substr(0, 32) + "\") is not a finite number");
        values.push_back(static_cast<float>(v));
        if (expected_count > 0 && static_cast<long>(values.size()) > expected_count)
            break;
    }
    if (expected_count > 0 && static_cast<long>(values.size()) != expected_count)
        throw Error(path.string() + ": holds " +
                    (static_cast<long>(values.size()) > expected_count
                         ? "more than " + std::to_string(expected_count)
                         : std::to_string(values.size())) +
                    " values; the code has " + std::to_string(expected_count) + " units");
    return values;
}

}  // namespace dgnam
