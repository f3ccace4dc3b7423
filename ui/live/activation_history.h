#pragma once
// Activation (and target probability) per iteration of the live run, for the plot. Frames come
// through a latest-frame mailbox, so a slow screen misses some steps: a missed iteration
// repeats the value before it, and the plot keeps one point per iteration.
#include <optional>
#include <vector>

namespace dgnam::live {

class ActivationHistory {
  public:
    // The value of `iteration` (0-based). An iteration before the last one recorded means a new
    // run began without clear(): the history restarts there.
    void record(int iteration, double activation, std::optional<double> probability);
    void clear();

    const std::vector<float>& activation() const { return activation_; }
    // Empty unless every recorded step had a probability (the output layer).
    const std::vector<float>& probability() const { return probability_; }
    bool empty() const { return activation_.empty(); }

  private:
    std::vector<float> activation_;
    std::vector<float> probability_;
    bool has_probability_ = true;
};

}  // namespace dgnam::live
