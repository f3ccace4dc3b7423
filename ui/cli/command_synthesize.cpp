// `dgnam synthesize`: preferred images of a set of units, written as a gallery.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <future>
#include <iostream>
#include <map>
#include <mutex>

#include "commands.h"
#include "dgnam/atomic_file.h"
#include "dgnam/error.h"
#include "dgnam/gallery.h"
#include "dgnam/gallery_shards.h"
#include "dgnam/judge.h"
#include "dgnam/png_io.h"
#include "dgnam/run_export.h"
#include "dgnam/unit_selection.h"
#include "dgnam/worker.h"
#include "progress_bar.h"

namespace dgnam::cli {
namespace {

struct SynthesizeOptions {
    std::string classifier;
    std::string layer;
    std::string units = "0";
    std::string method = "dgn";
    std::string spatial = "centre";
    std::vector<std::int64_t> position;
    bool negate = false;
    int batch = 1;
    std::string out = "gallery";
    bool force = false;
    std::string judge = "auto";
    std::string start_image;
    std::string shard;  // "K/N", or "" for all units
    OptimizerParams params;
};

// Fails before any compute is spent when the gallery could not be written afterwards.
void check_output_folder(const std::filesystem::path& folder, bool force) {
    namespace fs = std::filesystem;
    if (fs::exists(folder / "gallery.json") && !force)
        throw Error(folder.string() +
                    " already holds a gallery; pass --force to replace it or choose another --out");
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec || !fs::is_directory(folder))
        throw Error("cannot create the output folder " + folder.string() + ": " +
                    (ec ? ec.message() : "a file of that name exists") + "; choose another --out");
    const auto probe = folder / ".dgnam-write-test";
    write_file_atomically(probe, "test");
    fs::remove(probe, ec);
}

std::string format_probability(const std::optional<double>& p) {
    if (!p)
        return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", *p);
    return text;
}

int synthesize(const CommonOptions& common, SynthesizeOptions options) {
    options.params.validate();
    const std::filesystem::path out = options.out;
    check_output_folder(out, options.force);

    ModelPack pack = common.load_pack();
    const Classifier& classifier = pack.classifier(options.classifier);
    RunRequest request;
    request.classifier = classifier.id();
    request.objective.layer = options.layer.empty() ? classifier.output_layer() : options.layer;
    request.objective.spatial = spatial_mode_from_string(options.spatial);
    request.objective.negate = options.negate;
    if (request.objective.spatial == SpatialMode::Position) {
        if (options.position.size() != 2)
            throw Error("--spatial position needs --position Y,X");
        request.objective.y = options.position[0];
        request.objective.x = options.position[1];
    }
    request.units =
        parse_unit_selection(options.units, classifier.layer(request.objective.layer).units());
    std::optional<Shard> shard;
    if (!options.shard.empty()) {
        shard = parse_shard(options.shard);
        const auto selected = request.units.size();
        request.units = shard_units(request.units, *shard);
        if (request.units.empty())
            throw Error("--shard " + options.shard + " has no units: the selection has " +
                        std::to_string(selected) + "; use at most " + std::to_string(selected) +
                        " shards");
    }
    request.method = method_from_string(options.method);
    request.params = options.params;
    request.batch_size = options.batch;
    request.publish_frames = false;
    if (!options.start_image.empty())
        request.start_image = read_png(options.start_image);

    std::mutex mutex;
    std::map<std::int64_t, UnitResult> results;
    std::promise<std::pair<RunEnd, std::string>> finished;
    ProgressBar bar("synthesize");
    WorkerEvents events;
    events.unit_done = [&](const UnitResult& r) {
        std::lock_guard<std::mutex> lock(mutex);
        results[r.unit] = r;
    };
    events.progress = [&](const RunProgress& p) {
        const double per_unit = p.iterations > 0 ? double(p.iteration) / p.iterations : 1.0;
        const double done =
            p.units_total
                ? std::min(1.0, (p.units_done +
                                 per_unit * std::min<std::size_t>(options.batch,
                                                                  p.units_total - p.units_done)) /
                                    p.units_total)
                : 1.0;
        bar.update(done,
                   std::to_string(p.units_done) + "/" + std::to_string(p.units_total) + " units");
    };
    events.run_finished = [&](std::uint64_t, RunEnd end, const std::string& message) {
        finished.set_value({end, message});
    };
    const c10::Device device = common.parsed_device();
    const std::string classifier_id = classifier.id();
    Worker worker(std::move(pack), device, events);
    worker.start(request);
    const auto [end, message] = finished.get_future().get();
    if (end != RunEnd::Completed)
        throw Error("synthesis " + std::string(to_string(end)) +
                    (message.empty() ? "" : ": " + message));
    if (!message.empty())  // units that ended early; their images are still written
        std::cerr << "dgnam synthesize: warning: " << message << "\n";

    std::vector<GalleryItem> items;
    for (auto unit : request.units)
        items.push_back(to_gallery_item(results.at(unit)));
    const nlohmann::json model =
        run_model_json(worker.pack(), classifier_id, request.objective.layer);
    nlohmann::json params = run_params_json(request, device);
    params["precision"] = common.precision;
    if (shard)
        params["shard"] = {{"index", shard->index}, {"count", shard->count}};
    write_gallery(out, model, params, items, {options.force, 10});

    // The realism check: another classifier of the pack judges each output-layer image.
    const Classifier* judge = nullptr;
    if (options.judge == "auto")
        judge = find_judge(worker.pack(), classifier_id, request.objective.layer);
    else if (options.judge != "none")
        judge = &worker.pack().classifier(options.judge);
    std::printf("%-8s %-20s %12s %11s", "unit", "label", "activation", "probability");
    if (judge)
        std::printf("   %s says (p of target)", judge->id().c_str());
    std::printf("\n");
    int agreed = 0;
    for (const auto& item : items) {
        std::printf("%-8lld %-20s %12.4f %11s", static_cast<long long>(item.unit),
                    item.label.value_or("-").c_str(), item.activation,
                    format_probability(item.probability).c_str());
        if (judge) {
            const Verdict v = judge_image(*judge, item.image, item.unit, device);
            agreed += v.predicted == item.unit;
            std::printf("   %-20s (%.4f)",
                        judge->label_of(judge->output_layer(), v.predicted).c_str(),
                        v.target_probability);
        }
        std::printf("\n");
    }
    if (judge)
        std::printf("classifier %s puts %d of %zu images in their target class\n",
                    judge->id().c_str(), agreed, items.size());
    std::printf("gallery written to %s (open %s)\n", out.string().c_str(),
                (out / "index.html").string().c_str());
    return 0;
}

}  // namespace

Command add_synthesize_command(CLI::App& app, const CommonOptions& common) {
    auto* sub = app.add_subcommand(
        "synthesize", "Synthesize the preferred image of each chosen unit and write a gallery");
    auto o = std::make_shared<SynthesizeOptions>();
    sub->add_option("--classifier", o->classifier, "Classifier id in the pack (default: first)");
    sub->add_option("--start-image", o->start_image,
                    "DGN: start from the code of this PNG (the paper's \"from a real image\")");
    sub->add_option("--layer", o->layer, "Layer to visualise (default: the output layer)");
    sub->add_option("--units", o->units, "Units: all, 7, 0-9 or 1,3,8-11")->capture_default_str();
    sub->add_option("--method", o->method, "dgn (through the generator) or pixel (baseline)")
        ->capture_default_str()
        ->check(CLI::IsMember({"dgn", "pixel"}));
    sub->add_option("--lr-start", o->params.lr_start, "Step size at the first iteration")
        ->capture_default_str();
    sub->add_option("--lr-end", o->params.lr_end, "Step size at the last iteration")
        ->capture_default_str();
    sub->add_option("--iterations", o->params.iterations, "Number of steps")->capture_default_str();
    sub->add_option("--l2", o->params.l2, "Multiplicative decay per step (1 = off)")
        ->capture_default_str();
    sub->add_option("--clip-scale", o->params.clip_scale, "Scale of the code bounds (DGN)")
        ->capture_default_str();
    sub->add_option("--seed", o->params.seed, "Seed of the initial code or image")
        ->capture_default_str();
    sub->add_option("--jitter", o->params.jitter, "Random shift in pixels per step (pixel)")
        ->capture_default_str();
    sub->add_option("--blur-sigma", o->params.blur_sigma, "Gaussian blur sigma (pixel; 0 = off)")
        ->capture_default_str();
    sub->add_option("--blur-every", o->params.blur_every, "Blur every this many steps (pixel)")
        ->capture_default_str();
    sub->add_option("--spatial", o->spatial,
                    "Conv layers: centre (the paper's choice), mean or position")
        ->capture_default_str()
        ->check(CLI::IsMember({"centre", "center", "mean", "position"}));
    sub->add_option("--position", o->position, "Y,X for --spatial position")->delimiter(',');
    sub->add_flag("--negate", o->negate, "Minimise the unit instead of maximising it");
    sub->add_option("--batch", o->batch, "Units optimised together")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    sub->add_option("--out", o->out, "Output folder of the gallery")->capture_default_str();
    sub->add_option("--shard", o->shard,
                    "Only the K-th of N equal, contiguous parts of the units (K from 1); join the "
                    "N galleries with dgnam gallery merge");
    sub->add_flag("--force", o->force, "Replace a gallery already in the output folder");
    sub->add_option("--judge", o->judge,
                    "Classifier that judges each output-unit image (auto: another classifier "
                    "of the pack with the same classes; none: off)")
        ->capture_default_str();
    return [&common, o] { return synthesize(common, *o); };
}

}  // namespace dgnam::cli
