#pragma once
// One batch of rows optimised as several independent parts at once, one core each. Each row's
// arithmetic is its own (a normalised step, clipping and decay per row), so a batch split into
// parts gives the rows what one batch gives them, up to float rounding (kernels pick their
// blocking by batch size); what changes is how the work fills the cores.
#include <ATen/Device.h>

#include <memory>
#include <vector>

#include "dgnam/activation_maximizer.h"
#include "dgnam/concurrent_parts.h"

namespace dgnam {

class SplitBatch final : public ActivationMaximizer {
  public:
    // `parts` hold consecutive rows of the batch, in order, and run the same method with the same
    // parameters; at least one. Throws dgnam::Error for none or an empty entry.
    explicit SplitBatch(std::vector<std::unique_ptr<ActivationMaximizer>> parts);

    // Every part steps at once; the rows, images and outcomes are the parts' in order. An
    // exception from a part is rethrown once every part has returned; the parts may then stand at
    // different iterations, so the object is to be discarded (the worker ends the run).
    StepResult step() override;
    // Each part takes its steps on its own, so the parts meet once: at every meeting all wait
    // for the slowest, which on a shared machine costs more than the meeting itself.
    std::vector<StepResult> steps(int count) override;
    // As many steps as fill kMeetingInterval at the pace of the last call, at least 1.
    int steps_per_call() const override;
    std::vector<RowOutcome> evaluate() override;
    at::Tensor current_images() override;
    const PixelSpace& image_space() const override;
    int iteration() const override;
    const OptimizerParams& params() const override;
    void set_params(const OptimizerParams& params) override;

    int part_count() const { return static_cast<int>(parts_.size()); }

  private:
    std::vector<std::unique_ptr<ActivationMaximizer>> parts_;
    ConcurrentParts threads_;
    double milliseconds_per_step_ = 0.0;  // of the last call; 0 before the first
};

// How long a split batch's parts may step before they meet: parameters from the front end and
// cancellation take effect at a meeting, and a front end sees one frame a meeting. 20 ms keeps
// both within a frame or two of a 60 Hz display. (Measured, session 17: two parts of 5 rows of
// the bundled pack run side by side at 3.8-4.9 ms a step each, and a step that ends at a meeting
// takes about the slower one's time.)
inline constexpr double kMeetingInterval = 20.0;  // milliseconds

// How many parts to split a batch of `rows` into, for a method whose step costs `flop_per_row`
// (0 when unknown) on `device` with `threads` compute threads: one (not split) on an accelerator,
// with one thread, for one row, for an unknown cost, or for a step of kSplitBelowFlop or more;
// otherwise min(threads, rows).
//
// Measured on 2 cores (the bundled pack's step is 46 MFLOP a row; the paper's fc6 generator with
// CaffeNet 6.9 GFLOP): a 10-unit gallery of 200 iterations took 0.90-0.95 s split in two against
// 1.03-1.06 s as one batch (dgnam bench, medians of 7); at 32 rows (1.5 GFLOP a step) the two were
// within noise of each other; the paper-scale step at 8 rows took 32-33 ms an image split against
// 25-26 ms as one batch, as each operation there already keeps both cores busy and one batch reads
// the weights once.
inline constexpr double kSplitBelowFlop = 1e9;
int batch_parts(std::int64_t rows, double flop_per_row, const at::Device& device, int threads);

}  // namespace dgnam
