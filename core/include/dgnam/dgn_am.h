#pragma once
// DGN-AM (Nguyen et al. 2016) exactly as the authors' released code runs it: optimise the code h
// of a generator so that G(h), centre-cropped into the classifier, maximally activates one unit.
//
// Per iteration i of n, for each batch row:
//   lr = lr_start + (lr_end - lr_start) * i / n
//   x0 = G(h); crop = bridge(x0); g = d act / d crop
//   x  = crop + lr / mean|g| * g; paste x back into x0's full image; d = pasted - x0
//   gh = back-propagation of d through G to the code
//   h  = h + lr / mean|gh| * gh; clip h to [lower, upper] * clip_scale; h *= l2 if 0 < l2 < 1
// A zero or non-finite mean skips the row's update for that step (reported, never propagated).
#include <ATen/Tensor.h>

#include <optional>

#include "dgnam/activation_maximizer.h"
#include "dgnam/classifier.h"
#include "dgnam/generator.h"
#include "dgnam/image_bridge.h"
#include "dgnam/objective.h"
#include "dgnam/row_records.h"

namespace dgnam {

struct InitialCode {
    enum class Kind { Random, Zeros, Given };
    Kind kind = Kind::Random;  // Random: N(0, 1) from the seed, the same for every row
    at::Tensor code;           // Given: [D] (shared by all rows) or [B, D]

    static InitialCode random() { return {}; }
    static InitialCode given(at::Tensor c) { return {Kind::Given, std::move(c)}; }
};

class DgnAm final : public ActivationMaximizer {
  public:
    // The models must outlive this object. Throws dgnam::Error for an unknown layer, a unit out
    // of range or a code of the wrong size.
    DgnAm(const Generator& generator, const Classifier& classifier, Objective objective,
          std::vector<std::int64_t> units, OptimizerParams params, InitialCode initial,
          at::Device device);

    StepResult step() override;
    std::vector<RowOutcome> evaluate() override;
    at::Tensor current_images() override;
    const PixelSpace& image_space() const override;
    int iteration() const override { return iteration_; }
    const OptimizerParams& params() const override { return params_; }
    void set_params(const OptimizerParams& params) override;

    const at::Tensor& code() const { return code_; }  // [B, D] on the device
    const ImageBridge& bridge() const { return bridge_; }

  private:
    const Generator& generator_;
    const Classifier& classifier_;
    Objective objective_;
    OptimizerParams params_;
    at::Device device_;
    ImageBridge bridge_;
    CodeBounds bounds_;  // scaled, on the device
    at::Tensor code_;
    int iteration_ = 0;
    bool is_output_layer_ = false;
    RowRecords records_;
};

// N(0, 1) code of size D from `seed`, drawn on the CPU so that every device starts alike.
at::Tensor seeded_normal(std::int64_t size, std::uint64_t seed);

}  // namespace dgnam
