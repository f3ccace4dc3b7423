// `dgnam bench`: DGN-AM step times for the bundled pack and for the paper's architectures with
// random weights, in the fast form and the straightforward one as the baseline, plus a gallery
// optimised one unit at a time against batched.
#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "commands.h"
#include "dgnam/atomic_file.h"
#include "dgnam/caffe_net.h"
#include "dgnam/device.h"
#include "dgnam/dgn_am_batch.h"
#include "dgnam/error.h"
#include "dgnam/median.h"
#include "dgnam/network_models.h"
#include "dgnam/runtime_report.h"
#include "dgnam/soak_run.h"
#include "dgnam/step_benchmark.h"

namespace dgnam::cli {
namespace {

struct BenchOptions {
    std::string scenario = "all";
    std::vector<int> batches{1, 8, 32};
    int steps = 0;  // 0: 100 for the bundled pack, 3 for paper scale
    int warmup = 1;
    bool baseline = true;
    int gallery_units = 10;
    int gallery_iterations = 200;
    int gallery_repeats = 3;
    int soak_visualisations = 1000;
    int soak_iterations = 20;
    std::string json;
    ExecutionMode fast = ExecutionMode::fast();  // or its bfloat16 variant (--precision)
};

const char* fast_label(const ExecutionMode& mode) {
    return mode.bfloat16 ? "fast bfloat16" : "fast";
}

struct Scenario {
    std::string name;
    Generator& generator;
    Classifier& classifier;
    std::string layer;
    int steps;
};

void print_row(const std::string& scenario, const char* form, const StepTiming& t,
               double baseline_ms) {
    std::printf("%-24s %-16s %5d %10.2f %14.2f %10.2f %9.1f  %7.2f-%-7.2f", scenario.c_str(), form,
                t.batch, t.ms_per_step, t.ms_per_image_step, t.gflop_per_step, t.gflops,
                t.ms_fastest_round, t.ms_slowest_round);
    if (baseline_ms > 0)
        std::printf("   %.2fx faster", baseline_ms / t.ms_per_step);
    std::printf("\n");
    std::fflush(stdout);
}

nlohmann::json to_json(const std::string& scenario, const char* form, const StepTiming& t) {
    return {{"scenario", scenario},
            {"form", form},
            {"batch", t.batch},
            {"steps", t.steps},
            {"ms_per_step", t.ms_per_step},
            {"ms_per_image_step", t.ms_per_image_step},
            {"ms_fastest_round", t.ms_fastest_round},
            {"ms_slowest_round", t.ms_slowest_round},
            {"gflop_per_step", t.gflop_per_step},
            {"gflops", t.gflops}};
}

// Times the scenario's step in one form; the networks are left in the chosen fast form.
StepTiming time_form(const Scenario& s, const BenchOptions& o, int batch, const ExecutionMode& mode,
                     const c10::Device& device) {
    s.generator.set_execution_mode(mode);
    s.classifier.set_execution_mode(mode);
    const auto timing =
        time_dgn_am_steps(s.generator, s.classifier, s.layer, batch, o.warmup, s.steps, device);
    s.generator.set_execution_mode(o.fast);
    s.classifier.set_execution_mode(o.fast);
    return timing;
}

void run_scenario(const Scenario& s, const BenchOptions& o, const c10::Device& device,
                  nlohmann::json& records) {
    for (int batch : o.batches) {
        const auto fast = time_form(s, o, batch, o.fast, device);
        records.push_back(to_json(s.name, fast_label(o.fast), fast));
        double baseline_ms = 0.0;
        if (o.baseline) {
            const auto plain = time_form(s, o, batch, ExecutionMode::straightforward(), device);
            records.push_back(to_json(s.name, "straightforward", plain));
            print_row(s.name, "straightforward", plain, 0.0);
            baseline_ms = plain.ms_per_step;
        }
        print_row(s.name, fast_label(o.fast), fast, baseline_ms);
        if (batch == 1)
            std::printf("%-24s %.1f steps per second for one unit\n", s.name.c_str(),
                        1000.0 / fast.ms_per_step);
    }
}

void run_gallery(const Scenario& s, const BenchOptions& o, const c10::Device& device,
                 nlohmann::json& records) {
    const int units = o.gallery_units, iterations = o.gallery_iterations;
    // How a gallery run arranges the batch; when that splits it, one unsplit batch is timed too.
    const int parts = dgn_am_batch_parts(s.generator, s.classifier, s.layer, units, device);
    // Alternated, so that a slow spell of a shared machine touches all; medians.
    std::vector<double> one_by_one_runs, batched_runs, unsplit_runs;
    for (int r = 0; r < o.gallery_repeats; ++r) {
        one_by_one_runs.push_back(
            time_gallery(s.generator, s.classifier, s.layer, units, iterations, 1, device));
        batched_runs.push_back(time_gallery(s.generator, s.classifier, s.layer, units, iterations,
                                            units, device, parts));
        if (parts > 1)
            unsplit_runs.push_back(time_gallery(s.generator, s.classifier, s.layer, units,
                                                iterations, units, device, 1));
    }
    const double one_by_one = median(one_by_one_runs), batched = median(batched_runs);
    // Each repeat's own ratio as well: its two timings ran back to back, so a slow spell of a
    // shared machine that lasts one repeat moves both, where it moves only one median.
    std::vector<double> pair_ratios;
    for (std::size_t r = 0; r < batched_runs.size(); ++r)
        pair_ratios.push_back(one_by_one_runs[r] / batched_runs[r]);
    const auto [lowest, highest] = std::minmax_element(pair_ratios.begin(), pair_ratios.end());
    const double pair_median = median(pair_ratios);
    std::printf(
        "%-24s gallery of %d units x %d iterations (median of %d): one at a time %.2f s, batched "
        "%.2f s (%.2fx; repeat by repeat %.2fx, %.2f-%.2fx)",
        s.name.c_str(), units, iterations, o.gallery_repeats, one_by_one, batched,
        one_by_one / batched, pair_median, *lowest, *highest);
    nlohmann::json record = {{"scenario", s.name},
                             {"gallery_units", units},
                             {"gallery_iterations", iterations},
                             {"seconds_one_at_a_time", one_by_one},
                             {"seconds_batched", batched},
                             {"ratio_by_repeat", pair_ratios},
                             {"ratio_by_repeat_median", pair_median},
                             {"batch_parts", parts},
                             {"repeats", o.gallery_repeats}};
    if (parts > 1) {
        const double unsplit = median(unsplit_runs);
        std::printf(" in %d parts at once; as one batch %.2f s (%.2fx)", parts, unsplit,
                    one_by_one / unsplit);
        record["seconds_batched_unsplit"] = unsplit;
    }
    std::printf("\n");
    if (parts > 1) {
        // What the parts cost each other: the split batch can gain no more than the parts allow
        // when they run at once.
        const int rows = (units + parts - 1) / parts;
        const SideBySideTiming side = time_parts_side_by_side(
            s.generator, s.classifier, s.layer, parts, rows, std::max(1, iterations / 4), device);
        std::printf(
            "%-24s side by side: a part of %d %s steps in %.2f ms alone, %.2f ms while %d parts "
            "step at once (%.2fx)\n",
            s.name.c_str(), rows, rows == 1 ? "row" : "rows", side.ms_alone, side.ms_side_by_side,
            parts, side.slowdown());
        record["side_by_side"] = {{"rows_per_part", rows},
                                  {"ms_alone", side.ms_alone},
                                  {"ms_side_by_side", side.ms_side_by_side},
                                  {"slowdown", side.slowdown()}};
    }
    records.push_back(std::move(record));
}

// Not part of "all": a thousand visualisations take minutes.
int soak(const CommonOptions& common, const BenchOptions& o) {
    set_compute_threads(common.threads);
    std::printf("soak: %d unit visualisations of %d steps through the worker, one after another\n",
                o.soak_visualisations, o.soak_iterations);
    std::fflush(stdout);
    const SoakReport r = soak_worker(common.load_pack(), common.parsed_device(),
                                     o.soak_visualisations, o.soak_iterations);
    const double mib = 1024.0 * 1024.0;
    std::printf(
        "resident memory after %d: %.1f MiB; after %d: %.1f MiB (%+.1f%%); %d frames read; "
        "%.1f s\n",
        r.early, r.resident_after_early / mib, r.visualisations, r.resident_at_end / mib,
        100.0 * r.growth(), r.frames_read, r.seconds);
    if (!o.json.empty()) {
        const nlohmann::json out = {{"scenario", "soak"},
                                    {"visualisations", r.visualisations},
                                    {"iterations", r.iterations},
                                    {"early", r.early},
                                    {"resident_bytes_after_early", r.resident_after_early},
                                    {"resident_bytes_at_end", r.resident_at_end},
                                    {"growth", r.growth()},
                                    {"frames_read", r.frames_read},
                                    {"seconds", r.seconds}};
        write_file_atomically(o.json, out.dump(2) + "\n");
    }
    return 0;
}

int bench(const CommonOptions& common, const BenchOptions& o) {
    if (o.scenario == "soak")
        return soak(common, o);
    if (o.scenario != "all" && o.scenario != "bundled" && o.scenario != "paper")
        throw Error("--scenario must be all, bundled, paper or soak, not \"" + o.scenario + "\"");
    set_compute_threads(common.threads);
    const c10::Device device = common.parsed_device();
    nlohmann::json records = nlohmann::json::array();
    const RuntimeReport runtime = runtime_report();
    std::printf("%s\n", runtime.summary_line().c_str());
    for (const auto& warning : runtime.warnings)
        std::printf("warning: %s\n", warning.c_str());
    std::printf("%-24s %-16s %5s %10s %14s %10s %9s  %s\n", "scenario", "form", "batch", "ms/step",
                "ms/image-step", "GFLOP/step", "GFLOP/s", "rounds (ms/step)");

    if (o.scenario != "paper") {
        ModelPack pack = common.load_pack();
        if (!pack.generator)
            throw Error("the pack " + pack.folder.string() + " has no generator to benchmark");
        pack.to(device);
        Classifier& classifier = pack.classifier(pack.generator_classifier);
        const Scenario s{"bundled " + pack.name, *pack.generator, classifier,
                         classifier.output_layer(), o.steps > 0 ? o.steps : 100};
        run_scenario(s, o, device, records);
        run_gallery(s, o, device, records);
    }
    if (o.scenario != "bundled") {
        std::printf("paper scale: building the fc6 generator and CaffeNet with random weights\n");
        std::fflush(stdout);
        auto generator_net = std::make_unique<CaffeNet>(
            CaffeNet::with_random_weights(bundled_architecture("fc6_generator.prototxt"), 1));
        NetworkGenerator generator(std::move(generator_net),
                                   {{3, 256, 256}, PixelSpace::caffe_imagenet()},
                                   {at::zeros({4096}), at::full({4096}, 12.0), "bench"});
        NetworkClassifier classifier("caffenet", "CaffeNet",
                                     std::make_unique<CaffeNet>(CaffeNet::with_random_weights(
                                         bundled_architecture("caffenet_deploy.prototxt"), 2)),
                                     {{3, 227, 227}, PixelSpace::caffe_imagenet()}, "fc8", {});
        generator.to(device);
        classifier.to(device);
        const Scenario s{"paper fc6 G + CaffeNet", generator, classifier, "fc8",
                         o.steps > 0 ? o.steps : 3};
        run_scenario(s, o, device, records);
    }
    if (!o.json.empty()) {
        nlohmann::json out = {{"runtime", runtime.to_json()}, {"results", records}};
        write_file_atomically(o.json, out.dump(2) + "\n");
        std::printf("results written to %s\n", o.json.c_str());
    }
    return 0;
}

}  // namespace

Command add_bench_command(CLI::App& app, const CommonOptions& common) {
    auto* sub = app.add_subcommand(
        "bench",
        "Time DGN-AM steps: the pack's networks and the paper's (fc6 generator + CaffeNet, "
        "random weights), fast and straightforward, and a batched gallery");
    auto o = std::make_shared<BenchOptions>();
    sub->add_option("--scenario", o->scenario,
                    "all (bundled and paper), bundled, paper, or soak (resident memory over many "
                    "visualisations)")
        ->capture_default_str();
    sub->add_option("--batches", o->batches, "Batch sizes to time")
        ->delimiter(',')
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    sub->add_option("--steps", o->steps,
                    "Timed steps per measurement (default: 100 bundled, 3 paper scale)")
        ->check(CLI::Range(1, 100000));
    sub->add_option("--warmup", o->warmup, "Untimed steps first")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    sub->add_flag("!--no-baseline", o->baseline,
                  "Skip the straightforward form (LibTorch's transposed convolution, weight "
                  "gradients on)");
    sub->add_option("--gallery-units", o->gallery_units, "Units of the gallery timing")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    sub->add_option("--gallery-iterations", o->gallery_iterations,
                    "Iterations of the gallery timing")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    sub->add_option(
           "--gallery-repeats", o->gallery_repeats,
           "Gallery timings, alternating one at a time and batched; the medians count, and "
           "each repeat's own ratio")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    sub->add_option("--soak-visualisations", o->soak_visualisations,
                    "Soak: unit visualisations one after another")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    sub->add_option("--soak-iterations", o->soak_iterations, "Soak: steps per visualisation")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    sub->add_option("--json", o->json, "Also write the figures to this JSON file");
    return [&common, o] {
        o->fast = common.execution_mode();
        return bench(common, *o);
    };
}

}  // namespace dgnam::cli
