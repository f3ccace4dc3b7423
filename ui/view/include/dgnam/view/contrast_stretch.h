#pragma once
// Contrast stretch for displaying a live image: which value range maps to black..white.
#include "dgnam/image.h"

namespace dgnam::view {

// A value range in [0,1] (8-bit value / 255); the shader draws clamp((v - low) / (high - low)).
struct PercentileRange {
    double low = 0.0;
    double high = 1.0;
};

inline bool operator==(const PercentileRange& a, const PercentileRange& b) {
    return a.low == b.low && a.high == b.high;
}

enum class StretchMode {
    Fixed,       // low = 0, high = 1: the pack's own mapping, already applied by the core
    Percentile,  // stretch the low..high percentiles of the picture's values to black..white
};

// The identity range that StretchMode::Fixed uses.
constexpr PercentileRange kFixedRange{0.0, 1.0};

// The low_pct and high_pct percentiles (0..100, low_pct < high_pct) of all channel values of
// the image, from a 256-bin histogram in one pass. The k-th percentile is the value at index
// floor(k/100 * (n-1)) of the sorted values. An empty or single-valued image gives kFixedRange,
// since there is no contrast to stretch. Throws dgnam::Error for percentiles out of order.
PercentileRange percentile_range(const dgnam::Image8& image, double low_pct = 2.0,
                                 double high_pct = 98.0);

// Follows the ranges of successive frames with exponential smoothing, so the picture does not
// flicker when one frame's extremes jump.
class SmoothedStretch {
  public:
    // Weight of the old range per update. The Deep Visualization Toolbox kept 0.99 of the old
    // range each frame: at 30 fps that still holds 74% of the old range after one second (time
    // constant 3.3 s), too sluggish while the user watches a picture form. 0.8 keeps 11% after
    // ten frames (a third of a second) and 0.1% after thirty, so the picture settles within
    // about a second and still ignores one frame's outliers.
    static constexpr double kDefaultOldWeight = 0.8;

    // old_weight in [0,1); throws dgnam::Error otherwise.
    explicit SmoothedStretch(double old_weight = kDefaultOldWeight);

    // Mixes range into the smoothed range and returns it. The first update after construction
    // or reset() takes range as is.
    PercentileRange update(const PercentileRange& range);

    // Forgets the history: for a new run, a new image size or a change of mode.
    void reset() { has_range_ = false; }

    bool has_range() const { return has_range_; }
    // The smoothed range; kFixedRange before the first update.
    PercentileRange current() const { return has_range_ ? range_ : kFixedRange; }
    double old_weight() const { return old_weight_; }

  private:
    double old_weight_;
    PercentileRange range_;
    bool has_range_ = false;
};

}  // namespace dgnam::view
