#pragma once
// A row whose step is skipped (zero or non-finite gradient) keeps its state, so the next step
// meets the same gradient: a batch in which every row keeps being skipped would spin until its
// last iteration without changing. StallWatch notices that, so the worker can end the batch
// early and say why.
#include <optional>
#include <string>

#include "dgnam/step_result.h"

namespace dgnam {

class StallWatch {
  public:
    static constexpr int kDefaultLimit = 10;
    explicit StallWatch(int limit = kDefaultLimit) : limit_(limit) {}

    // Returns, once `limit` steps in a row skipped every row, what to tell the user: how many
    // steps and the first row's reason (e.g. "image step: the gradient is not finite").
    std::optional<std::string> observe(const StepResult& step);

  private:
    int limit_;
    int in_a_row_ = 0;
};

}  // namespace dgnam
