// `dgnam train`: reproduces the bundled pack's weights from Debian's Fashion-MNIST.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

#include "commands.h"
#include "dgnam/atomic_file.h"
#include "dgnam/device.h"
#include "dgnam/error.h"
#include "dgnam/fashion_pack.h"
#include "dgnam/training.h"
#include "interrupt_request.h"
#include "progress_bar.h"

namespace dgnam::cli {
namespace {
namespace fs = std::filesystem;

struct TrainOptions {
    std::string out;
    std::string data;
    std::string which = "a";
    std::int64_t checkpoint_every = 200;
    bool resume = false;
    ClassifierTraining classifier;
    GeneratorTraining generator;
};

// The run's state goes next to the weights it will produce, one file per network; it is removed
// once the weights are written.
CheckpointSchedule checkpoints_for(const TrainOptions& o, const std::string& network) {
    CheckpointSchedule schedule;
    if (o.checkpoint_every > 0)
        schedule.file = fs::path(o.out) / ("checkpoint-" + network + ".safetensors");
    schedule.every_steps = o.checkpoint_every;
    schedule.resume = o.resume;
    if (o.resume) {
        std::error_code ec;
        if (schedule.file.empty() || !fs::exists(schedule.file, ec))
            std::printf("no checkpoint of %s in %s: training from the first step\n",
                        network.c_str(), o.out.c_str());
        else
            std::printf("resuming %s from %s\n", network.c_str(), schedule.file.string().c_str());
    }
    return schedule;
}

void remove_checkpoint(const CheckpointSchedule& schedule) {
    std::error_code ec;
    if (!schedule.file.empty())
        fs::remove(schedule.file, ec);
}

nlohmann::json read_record(const fs::path& folder) {
    std::ifstream in(folder / kTrainingRecordFile);
    if (!in)
        return nlohmann::json::object();
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
        return nlohmann::json::object();
    }
}

// Writes the record and a manifest listing whatever networks the folder now holds.
void save_record(const fs::path& folder, const std::string& key, const nlohmann::json& entry) {
    auto record = read_record(folder);
    record[key] = entry;
    write_file_atomically(folder / kTrainingRecordFile, record.dump(2) + "\n");
    write_file_atomically(folder / "manifest.json",
                          fashion_pack_manifest(folder, record).dump(2) + "\n");
}

// Draws the bar; a Ctrl+C stops the loop at the end of its current step, which saves the state.
TrainingCallback progress_to(ProgressBar& bar, const InterruptRequest& interrupt) {
    return [&bar, &interrupt](const TrainingProgress& p) {
        char detail[96];
        std::snprintf(detail, sizeof detail, "step %lld/%lld, loss %.4f",
                      static_cast<long long>(p.step), static_cast<long long>(p.steps), p.loss);
        bar.update(p.steps ? double(p.step) / double(p.steps) : 1.0, detail);
        return !interrupt.requested();
    };
}

// After a Ctrl+C: where the run's state is, and how to go on.
int report_interruption(const InterruptRequest& interrupt, const std::string& network,
                        std::int64_t step, const CheckpointSchedule& schedule) {
    if (schedule.file.empty())
        std::fprintf(stderr,
                     "%s: interrupted after step %lld; nothing was saved (--checkpoint-every 0)\n",
                     network.c_str(), static_cast<long long>(step));
    else
        std::fprintf(stderr,
                     "%s: interrupted after step %lld; its state is saved in %s: run the same "
                     "command with --resume to continue\n",
                     network.c_str(), static_cast<long long>(step), schedule.file.string().c_str());
    return interrupt.exit_status();
}

FashionMnist load_data(const TrainOptions& o) {
    return load_fashion_mnist(o.data.empty() ? default_fashion_mnist_folder() : fs::path(o.data));
}

void prepare_folder(const fs::path& folder) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec || !fs::is_directory(folder))
        throw Error("cannot create the pack folder " + folder.string() + ": " +
                    (ec ? ec.message() : "a file of that name exists"));
}

int train_classifier_command(const TrainOptions& o) {
    if (o.which != "a" && o.which != "b" && o.which != "c")
        throw Error("--which must be a, b or c");
    const fs::path folder = o.out;
    prepare_folder(folder);
    const FashionMnist data = load_data(o);
    const bool is_a = o.which == "a";
    const std::string id = o.which == "a" ? "A" : o.which == "b" ? "B" : "C";
    const char* file = is_a             ? kClassifierAFile
                       : o.which == "b" ? kClassifierBFile
                                        : kClassifierCFile;
    ClassifierTraining options = o.classifier;
    options.checkpoints = checkpoints_for(o, "classifier-" + o.which);
    ClassifierResult result;
    const InterruptRequest interrupt;
    {
        ProgressBar bar("classifier " + id);
        result = train_classifier(
            is_a ? fashion_classifier_a_layers() : fashion_classifier_b_layers(),
            fashion_classifier_input(), data, options, progress_to(bar, interrupt));
    }
    if (result.stopped)
        return report_interruption(interrupt, "classifier " + id, result.steps,
                                   options.checkpoints);
    write_safetensors(folder / file, result.weights, {{"trained_by", "dgnam train classifier"}});
    save_record(folder, "classifier_" + o.which,
                {{"epochs", o.classifier.epochs},
                 {"batch_size", o.classifier.batch_size},
                 {"learning_rate", o.classifier.learning_rate},
                 {"seed", o.classifier.seed},
                 {"steps", result.steps},
                 {"augment", o.classifier.augment},
                 {"adversarial_epsilon", o.classifier.adversarial_epsilon},
                 {"adversarial_share", o.classifier.adversarial_share},
                 {"seconds", result.seconds},
                 {"test_accuracy", result.test_accuracy}});
    remove_checkpoint(options.checkpoints);
    std::printf("classifier %s: test accuracy %.4f after %lld steps (%.0f s); written to %s\n",
                id.c_str(), result.test_accuracy, static_cast<long long>(result.steps),
                result.seconds, folder.string().c_str());
    return 0;
}

int train_generator_command(const TrainOptions& o) {
    const fs::path folder = o.out;
    if (!fs::exists(folder / kClassifierAFile))
        throw Error(folder.string() + " has no " + kClassifierAFile +
                    "; train classifier A first (dgnam train classifier --out " + o.out + ")");
    const FashionMnist data = load_data(o);
    const ModelPack pack = load_model_pack(folder);
    const Classifier& a = pack.classifier("A");
    GeneratorTraining options = o.generator;
    options.checkpoints = checkpoints_for(o, "generator");
    GeneratorResult result;
    const InterruptRequest interrupt;
    {
        ProgressBar bar("generator");
        result = train_generator(a, kFashionCodeLayer, fashion_generator_layers(),
                                 fashion_generator_output(), fashion_discriminator_layers(), data,
                                 options, progress_to(bar, interrupt));
    }
    if (result.stopped)
        return report_interruption(interrupt, "generator", result.steps, options.checkpoints);
    const auto upper = code_upper_bounds(a, kFashionCodeLayer, data.train);
    std::string bounds;
    for (std::size_t i = 0; i < upper.size(); ++i) {
        char value[32];
        std::snprintf(value, sizeof value, "%s%.6g", i ? " " : "", upper[i]);
        bounds += value;
    }
    write_file_atomically(folder / kCodeUpperBoundFile, bounds + "\n");
    write_safetensors(folder / kGeneratorFile, result.generator,
                      {{"trained_by", "dgnam train generator"}});
    write_safetensors(folder / kDiscriminatorFile, result.discriminator,
                      {{"trained_by", "dgnam train generator"}});
    save_record(folder, "generator",
                {{"epochs", o.generator.epochs},
                 {"batch_size", o.generator.batch_size},
                 {"learning_rate", o.generator.learning_rate},
                 {"seed", o.generator.seed},
                 {"steps", result.steps},
                 {"image_weight", o.generator.image_weight},
                 {"feature_weight", o.generator.feature_weight},
                 {"adversarial_weight", o.generator.adversarial_weight},
                 {"seconds", result.seconds},
                 {"test_class_agreement", result.test_class_agreement},
                 {"test_psnr_db", result.test_psnr}});
    remove_checkpoint(options.checkpoints);
    std::printf(
        "generator: A puts %.4f of G(code(x)) in x's class, mean PSNR %.2f dB "
        "(%lld steps, %.0f s); written to %s\n",
        result.test_class_agreement, result.test_psnr, static_cast<long long>(result.steps),
        result.seconds, folder.string().c_str());
    return 0;
}

}  // namespace

Command add_train_command(CLI::App& app, const CommonOptions& common) {
    auto* train = app.add_subcommand(
        "train", "Train the bundled pack's networks from Debian's Fashion-MNIST");
    train->require_subcommand(1);
    auto o = std::make_shared<TrainOptions>();
    auto* classifier = train->add_subcommand("classifier", "Train classifier A, B or C");
    auto* generator =
        train->add_subcommand("generator", "Train the generator on classifier A's code layer");
    for (auto* sub : {classifier, generator}) {
        sub->add_option("--out", o->out, "Pack folder to write into")->required();
        sub->add_option("--data", o->data,
                        "Fashion-MNIST folder (default: /usr/share/datasets/fashion-mnist)");
        sub->add_option("--checkpoint-every", o->checkpoint_every,
                        "Save the run's state into the pack folder every this many steps, so "
                        "that --resume can continue it after an interruption (0 = never)")
            ->capture_default_str()
            ->check(CLI::NonNegativeNumber);
        sub->add_flag("--resume", o->resume,
                      "Continue an interrupted run from its checkpoint in the pack folder; the "
                      "result equals an uninterrupted run");
    }
    classifier
        ->add_option("--which", o->which,
                     "a (AlexNet-shaped), b (residual) or c (residual, adversarially trained: the "
                     "realism check)")
        ->capture_default_str();
    auto* epochs =
        classifier->add_option("--epochs", o->classifier.epochs,
                               "Passes over the training set (default: 8 for A, 5 for B and C)");
    classifier->add_option("--batch", o->classifier.batch_size)->capture_default_str();
    classifier->add_option("--lr", o->classifier.learning_rate)->capture_default_str();
    auto* seed = classifier->add_option("--seed", o->classifier.seed,
                                        "Random seed (default: 1 for A, 2 for B and C)");
    classifier->add_option("--max-steps", o->classifier.max_steps, "Stop after this many steps");
    auto* adversarial = classifier->add_option(
        "--adversarial-eps", o->classifier.adversarial_epsilon,
        "Train on FGSM images within this L-infinity radius in [0, 1] grey levels; 0 = clean "
        "images (default: 0.1 for C, 0 for A and B)");
    auto* share =
        classifier
            ->add_option(
                "--adversarial-share", o->classifier.adversarial_share,
                "Share of each batch made adversarial, the rest stays clean (default: 0.5 for "
                "C)")
            ->check(CLI::Range(0.0, 1.0));
    generator->add_option("--epochs", o->generator.epochs)->capture_default_str();
    generator->add_option("--batch", o->generator.batch_size)->capture_default_str();
    generator->add_option("--lr", o->generator.learning_rate)->capture_default_str();
    generator->add_option("--seed", o->generator.seed)->capture_default_str();
    generator->add_option("--max-steps", o->generator.max_steps, "Stop after this many steps");
    generator->add_option("--image-weight", o->generator.image_weight)->capture_default_str();
    generator->add_option("--feature-weight", o->generator.feature_weight)->capture_default_str();
    generator->add_option("--adversarial-weight", o->generator.adversarial_weight)
        ->capture_default_str();
    return [o, classifier, train, epochs, seed, adversarial, share, &common] {
        set_compute_threads(common.threads);
        if (train->got_subcommand(classifier)) {
            // B differs from A by architecture and seed: a network the generator never saw.
            // C, the realism check, is B's architecture trained on half-adversarial batches so
            // that pixel-space noise does not fool it while it stays confident on clean images.
            if (o->which == "b" || o->which == "c") {
                if (seed->count() == 0)
                    o->classifier.seed = 2;
                if (epochs->count() == 0)
                    o->classifier.epochs = 5;
            }
            if (o->which == "c") {
                if (adversarial->count() == 0)
                    o->classifier.adversarial_epsilon = 0.1;
                if (share->count() == 0)
                    o->classifier.adversarial_share = 0.5;
            }
            return train_classifier_command(*o);
        }
        return train_generator_command(*o);
    };
}

}  // namespace dgnam::cli
