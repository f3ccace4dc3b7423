#pragma once
// A long trace drawn in a plot a few hundred pixels wide. Points that share a pixel column become
// that column's lowest and highest value, in the order they came, so a run of a million steps
// costs a few segments per column instead of one per step, and no spike is lost. A missing or
// non-finite value breaks the line. Qt-free, so its logic is tested on its own.
#include <cmath>
#include <cstddef>
#include <optional>
#include <vector>

namespace dgnam::studio {

struct EnvelopePoint {
    long column = 0;
    double value = 0.0;
};
using EnvelopeLine = std::vector<EnvelopePoint>;  // one point: a lone value between two breaks

// value(i): std::optional<double> for point i < count; column_of(i): its pixel column, never
// decreasing with i.
template <typename Value, typename ColumnOf>
std::vector<EnvelopeLine> trace_envelope(std::size_t count, Value value, ColumnOf column_of) {
    std::vector<EnvelopeLine> lines;
    bool open = false;  // the last line continues with the next column
    bool pending = false;
    long column = 0;
    double low = 0.0, high = 0.0;
    std::size_t low_at = 0, high_at = 0;
    auto flush = [&] {
        if (!pending)
            return;
        if (!open)
            lines.emplace_back();
        const bool low_first = low_at <= high_at;
        lines.back().push_back({column, low_first ? low : high});
        if (low_at != high_at)
            lines.back().push_back({column, low_first ? high : low});
        open = true;
        pending = false;
    };
    for (std::size_t i = 0; i < count; ++i) {
        const std::optional<double> v = value(i);
        if (!v || !std::isfinite(*v)) {
            flush();
            open = false;
            continue;
        }
        const long x = column_of(i);
        if (!pending || x != column) {
            flush();
            pending = true;
            column = x;
            low = high = *v;
            low_at = high_at = i;
        } else if (*v < low) {
            low = *v;
            low_at = i;
        } else if (*v > high) {
            high = *v;
            high_at = i;
        }
    }
    flush();
    return lines;
}

}  // namespace dgnam::studio
