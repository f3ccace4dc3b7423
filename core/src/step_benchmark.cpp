#include "dgnam/step_benchmark.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>

#include "dgnam/concurrent_parts.h"
#include "dgnam/dgn_am.h"
#include "dgnam/dgn_am_batch.h"
#include "dgnam/error.h"
#include "dgnam/median.h"
#include "dgnam/seconds_since.h"

namespace dgnam {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::int64_t> units_of(const Classifier& classifier, const std::string& layer,
                                   int first, int count) {
    const std::int64_t available = classifier.layer(layer).units();
    std::vector<std::int64_t> units(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i)
        units[static_cast<std::size_t>(i)] = (first + i) % available;
    return units;
}

}  // namespace

std::int64_t classifier_multiply_adds_to(const Classifier& classifier, const std::string& layer) {
    std::int64_t macs = 0;
    for (const auto& l : classifier.layers()) {
        macs += l.multiply_adds;
        if (l.name == layer)
            break;
    }
    return macs;
}

double dgn_am_flop_per_image(const Generator& generator, const Classifier& classifier,
                             const std::string& layer) {
    const std::int64_t classifier_macs = classifier_multiply_adds_to(classifier, layer);
    // forward + backward to the input, 2 FLOP per multiply-add
    return 2.0 * 2.0 * static_cast<double>(generator.multiply_adds() + classifier_macs);
}

StepTiming time_dgn_am_steps(const Generator& generator, const Classifier& classifier,
                             const std::string& layer, int batch, int warmup, int steps,
                             const c10::Device& device, int rounds) {
    if (batch < 1 || steps < 1 || warmup < 0 || rounds < 1)
        throw Error("bench: batch, steps and rounds must be at least 1, warm-up at least 0");
    rounds = std::min(rounds, steps);
    OptimizerParams params;
    params.iterations = warmup + steps;
    DgnAm am(generator, classifier, Objective{layer}, units_of(classifier, layer, 0, batch), params,
             InitialCode::random(), device);
    for (int i = 0; i < warmup; ++i)
        am.step();
    std::vector<double> ms_per_step;
    for (int round = 0; round < rounds; ++round) {
        const int count = steps / rounds + (round < steps % rounds ? 1 : 0);
        const auto start = Clock::now();
        for (int i = 0; i < count; ++i)
            am.step();  // returns values read back to the CPU: the device has finished the step
        ms_per_step.push_back(1000.0 * seconds_since(start) / count);
    }

    StepTiming t;
    t.batch = batch;
    t.steps = steps;
    t.ms_per_step = median(ms_per_step);
    t.ms_fastest_round = *std::min_element(ms_per_step.begin(), ms_per_step.end());
    t.ms_slowest_round = *std::max_element(ms_per_step.begin(), ms_per_step.end());
    t.ms_per_image_step = t.ms_per_step / batch;
    t.gflop_per_step = dgn_am_flop_per_image(generator, classifier, layer) * batch / 1e9;
    t.gflops = t.gflop_per_step / (t.ms_per_step / 1000.0);
    return t;
}

double time_gallery(const Generator& generator, const Classifier& classifier,
                    const std::string& layer, int units, int iterations, int batch,
                    const c10::Device& device, int parts) {
    if (units < 1 || iterations < 1 || batch < 1)
        throw Error("bench: units, iterations and batch must be at least 1");
    OptimizerParams params;
    params.iterations = iterations;
    const auto start = Clock::now();
    for (int first = 0; first < units; first += batch) {
        const auto am =
            make_dgn_am(generator, classifier, Objective{layer},
                        units_of(classifier, layer, first, std::min(batch, units - first)), params,
                        InitialCode::random(), device, parts);
        while (!am->done())
            am->steps(am->steps_per_call());  // as the worker takes them
        am->evaluate();
    }
    return seconds_since(start);
}

SideBySideTiming time_parts_side_by_side(const Generator& generator, const Classifier& classifier,
                                         const std::string& layer, int parts, int rows_per_part,
                                         int steps, const c10::Device& device, int rounds) {
    if (parts < 1 || rows_per_part < 1 || steps < 1 || rounds < 1)
        throw Error("bench: parts, rows, steps and rounds must be at least 1");
    OptimizerParams params;
    params.iterations = 1000000;  // the most validate() takes; the rounds end far sooner
    std::vector<std::unique_ptr<DgnAm>> ams;
    for (int p = 0; p < parts; ++p)
        ams.push_back(
            std::make_unique<DgnAm>(generator, classifier, Objective{layer},
                                    units_of(classifier, layer, p * rows_per_part, rows_per_part),
                                    params, InitialCode::random(), device));
    ConcurrentParts threads(parts);
    std::vector<double> part_ms(static_cast<std::size_t>(parts));
    // Every part runs `count` steps when `all`, else part 0 alone; each part times its own.
    auto run = [&](bool all, int count) {
        threads.run([&](int p) {
            if (p > 0 && !all)
                return;
            const auto start = Clock::now();
            for (int i = 0; i < count; ++i)
                ams[static_cast<std::size_t>(p)]->step();
            part_ms[static_cast<std::size_t>(p)] = 1000.0 * seconds_since(start) / count;
        });
    };
    run(true, 2);  // warm-up: first-call set-up of every kernel, on every thread
    std::vector<double> alone, together;
    for (int round = 0; round < rounds; ++round) {
        run(false, steps);
        alone.push_back(part_ms[0]);
        run(true, steps);
        together.push_back(*std::max_element(part_ms.begin(), part_ms.end()));
    }
    SideBySideTiming t;
    t.parts = parts;
    t.rows_per_part = rows_per_part;
    t.ms_alone = median(alone);
    t.ms_side_by_side = median(together);
    return t;
}

}  // namespace dgnam
