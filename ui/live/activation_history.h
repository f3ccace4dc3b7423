#pragma once
// Activation (and target probability) per iteration of the live run, as the float arrays the
// plot draws. Built from each frame's StepTrace, which holds every step even when the screen
// missed frames; only the points new since the last update are converted.
#include <vector>

#include "dgnam/step_trace.h"

namespace dgnam::live {

class ActivationHistory {
  public:
    // Takes the points of `trace` past those already held. Only a trace shorter than the
    // history is told apart as another run's; a front end calls clear() when it starts a run.
    void update(const StepTrace& trace);
    void clear();

    const std::vector<float>& activation() const { return activation_; }
    // Empty unless every step had a probability (the output layer).
    const std::vector<float>& probability() const { return probability_; }
    bool empty() const { return activation_.empty(); }

  private:
    std::vector<float> activation_;
    std::vector<float> probability_;
    bool has_probability_ = true;
};

}  // namespace dgnam::live
