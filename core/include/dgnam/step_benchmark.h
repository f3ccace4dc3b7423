#pragma once
// What `dgnam bench` measures: DGN-AM steps timed at a batch size, with the arithmetic rate
// counted from the layers' multiply-adds. Figures only; nothing here asserts a speed.
#include <c10/core/Device.h>

#include <cstdint>
#include <string>

#include "dgnam/classifier.h"
#include "dgnam/generator.h"

namespace dgnam {

struct StepTiming {
    int batch = 1;
    int steps = 0;
    double ms_per_step = 0.0;  // the median of the rounds: a shared machine's noise is one-sided
    double ms_per_image_step = 0.0;
    double ms_fastest_round = 0.0;
    double ms_slowest_round = 0.0;
    double gflop_per_step = 0.0;  // 0 when a network does not count its multiply-adds
    double gflops = 0.0;          // achieved: gflop_per_step / seconds per step
};

// The classifier's multiply-adds for one image from its input up to and including `layer` (all
// layers for a name it lacks); 0 where the network does not know them (TorchScript).
std::int64_t classifier_multiply_adds_to(const Classifier& classifier, const std::string& layer);

// FLOP of one DGN-AM step for one image: the generator's forward and its backward to the code,
// the classifier's forward up to `layer` and its backward to the image. A multiply-add is 2 FLOP
// and a backward to the input costs what the forward did (no weight gradients are taken).
double dgn_am_flop_per_image(const Generator& generator, const Classifier& classifier,
                             const std::string& layer);

// Runs `warmup` untimed and then `steps` timed DGN-AM steps on `batch` units of `layer` (units
// 0, 1, ... wrapping around the layer's count) with the default parameters, seed 0. The timed
// steps are split into `rounds` (as many as there are steps, at most); each figure is per step.
StepTiming time_dgn_am_steps(const Generator& generator, const Classifier& classifier,
                             const std::string& layer, int batch, int warmup, int steps,
                             const c10::Device& device, int rounds = 5);

// Seconds for a gallery of `units` units of `layer`, `iterations` steps each, optimised
// `batch` at a time (1 = one unit after another), each batch split into `parts` as make_dgn_am
// takes them (0: as a gallery run splits it), stepped as the worker steps them (steps_per_call).
double time_gallery(const Generator& generator, const Classifier& classifier,
                    const std::string& layer, int units, int iterations, int batch,
                    const c10::Device& device, int parts = 0);

// How much the parts of a split batch slow each other down. A split batch runs its parts side by
// side, one core and one compute thread each; cores that share execution units or a power budget
// (SMT siblings, many cloud machines) may run each part slower side by side than alone, and
// that, not the meeting of the parts, caps what splitting gains. On the 2-core machine this was
// written on it came and went: 0.97-1.07x in some runs, 1.23-1.59x in others half an hour apart.
struct SideBySideTiming {
    int parts = 0;
    int rows_per_part = 0;
    double ms_alone = 0.0;         // one part's step with the other cores idle; median of rounds
    double ms_side_by_side = 0.0;  // the slowest part's step while all step; median of rounds
    double slowdown() const { return ms_alone > 0.0 ? ms_side_by_side / ms_alone : 0.0; }
};

// Alternates rounds of `steps` steps of part 0 alone and of every part at once; each part holds
// `rows_per_part` units of `layer` (wrapping around its count). Throws dgnam::Error for parts,
// rows, steps or rounds below 1.
SideBySideTiming time_parts_side_by_side(const Generator& generator, const Classifier& classifier,
                                         const std::string& layer, int parts, int rows_per_part,
                                         int steps, const c10::Device& device, int rounds = 5);

}  // namespace dgnam
