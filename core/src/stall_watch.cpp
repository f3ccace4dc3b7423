#include "dgnam/stall_watch.h"

#include <algorithm>

namespace dgnam {

std::optional<std::string> StallWatch::observe(const StepResult& step) {
    const bool all_skipped =
        !step.rows.empty() &&
        std::all_of(step.rows.begin(), step.rows.end(), [](const RowStep& r) { return r.skipped; });
    in_a_row_ = all_skipped ? in_a_row_ + 1 : 0;
    if (in_a_row_ < limit_)
        return std::nullopt;
    return "stopped after " + std::to_string(in_a_row_) + " skipped steps in a row (" +
           step.rows.front().skip_reason +
           "); the code cannot move from here: lower the step size or the clip scale, pick "
           "another seed, or check the model's weights";
}

}  // namespace dgnam
