#include "dgnam/dgn_am_batch.h"

#include <sched.h>

#include <algorithm>

#include "dgnam/device.h"
#include "dgnam/error.h"
#include "dgnam/split_batch.h"
#include "dgnam/step_benchmark.h"

namespace dgnam {
namespace {

// The rows [first, first + count) of a per-row initial code; any other code as it is, so that
// DgnAm's error names the shape the caller gave.
InitialCode rows_of(const InitialCode& initial, std::int64_t batch, std::int64_t code_size,
                    std::int64_t first, std::int64_t count) {
    if (initial.kind != InitialCode::Kind::Given || initial.code.dim() != 2 ||
        initial.code.size(0) != batch || initial.code.size(1) != code_size)
        return initial;
    return InitialCode::given(initial.code.narrow(0, first, count));
}

int usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return 1;
    return std::max(1, CPU_COUNT(&set));
}

}  // namespace

int dgn_am_batch_parts(const Generator& generator, const Classifier& classifier,
                       const std::string& layer, std::int64_t rows, const at::Device& device) {
    const bool cost_known =
        generator.multiply_adds() > 0 && classifier_multiply_adds_to(classifier, layer) > 0;
    const double flop = cost_known ? dgn_am_flop_per_image(generator, classifier, layer) : 0.0;
    return batch_parts(rows, flop, device, std::min(compute_threads(), usable_cpus()));
}

std::unique_ptr<ActivationMaximizer> make_dgn_am(const Generator& generator,
                                                 const Classifier& classifier, Objective objective,
                                                 std::vector<std::int64_t> units,
                                                 OptimizerParams params, InitialCode initial,
                                                 at::Device device, int parts) {
    if (parts < 0)
        throw Error("a batch cannot be split into " + std::to_string(parts) + " parts");
    const auto rows = static_cast<std::int64_t>(units.size());
    if (parts == 0) {
        const std::string& layer =
            objective.layer.empty() ? classifier.output_layer() : objective.layer;
        parts = dgn_am_batch_parts(generator, classifier, layer, rows, device);
    }
    parts = static_cast<int>(std::clamp<std::int64_t>(parts, 1, std::max<std::int64_t>(rows, 1)));
    if (parts == 1)
        return std::make_unique<DgnAm>(generator, classifier, std::move(objective),
                                       std::move(units), params, std::move(initial), device);
    std::vector<std::unique_ptr<ActivationMaximizer>> split;
    std::int64_t first = 0;
    for (int part = 0; part < parts; ++part) {
        // consecutive rows, the first parts one larger where the rows do not divide evenly
        const std::int64_t count = rows / parts + (part < rows % parts ? 1 : 0);
        std::vector<std::int64_t> part_units(units.begin() + first, units.begin() + first + count);
        split.push_back(std::make_unique<DgnAm>(
            generator, classifier, objective, std::move(part_units), params,
            rows_of(initial, rows, generator.code_size(), first, count), device));
        first += count;
    }
    return std::make_unique<SplitBatch>(std::move(split));
}

}  // namespace dgnam
