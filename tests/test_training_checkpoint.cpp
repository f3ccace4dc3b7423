// Checkpoints of `dgnam train`: a run interrupted and resumed ends with the weights of a run that
// was never stopped, bit for bit; a checkpoint that does not belong to the run is refused.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>

#include "dgnam/fashion_pack.h"
#include "dgnam/network_models.h"
#include "dgnam/training.h"
#include "test_support.h"

namespace dgnam {
namespace {
namespace fs = std::filesystem;

void expect_same_weights(const TensorMap& a, const TensorMap& b) {
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, tensor] : a) {
        ASSERT_TRUE(b.count(name)) << name;
        EXPECT_TRUE(at::equal(tensor, b.at(name))) << name;
    }
}

// Stops the run after `stop_at` steps and keeps a copy of the checkpoint file as it was when
// step `copy_at` was reported (a run killed then would have left that file).
TrainingCallback stop_and_copy(std::int64_t stop_at, std::int64_t copy_at, const fs::path& file,
                               const fs::path& copy) {
    return [=](const TrainingProgress& p) {
        if (p.step == copy_at)
            fs::copy_file(file, copy, fs::copy_options::overwrite_existing);
        return p.step < stop_at;
    };
}

ClassifierTraining classifier_options() {
    // Classifier A has dropout (the default generator) and flips (the loop's generator); 3 epochs
    // of 5 batches make the interruption fall inside an epoch and at its end.
    ClassifierTraining options;
    options.epochs = 3;
    options.batch_size = 16;
    options.augment = true;
    return options;
}

TEST(TrainingCheckpoint, ResumedClassifierEqualsAnUninterruptedRun) {
    const auto data = test::square_images();
    const auto layers = fashion_classifier_a_layers();
    const auto input = fashion_classifier_input();
    const auto whole = train_classifier(layers, input, data, classifier_options());
    ASSERT_EQ(whole.steps, 15);

    test::ScratchFolder folder;
    auto options = classifier_options();
    options.checkpoints = {folder / "checkpoint.safetensors", 4, false};
    // Stopped after step 7: a checkpoint was saved at step 4 (kept as a copy, as a killed run
    // leaves it) and at the stop.
    const auto stopped =
        train_classifier(layers, input, data, options,
                         stop_and_copy(7, 5, options.checkpoints.file, folder / "step4"));
    EXPECT_EQ(stopped.steps, 7);
    EXPECT_TRUE(stopped.stopped);
    EXPECT_FALSE(whole.stopped);

    options.checkpoints.resume = true;
    std::int64_t first_reported = -1;
    const auto resumed =
        train_classifier(layers, input, data, options, [&](const TrainingProgress& p) {
            if (first_reported < 0)
                first_reported = p.step;
            return true;
        });
    EXPECT_EQ(first_reported, 8);
    EXPECT_EQ(resumed.steps, 15);
    expect_same_weights(resumed.weights, whole.weights);
    EXPECT_DOUBLE_EQ(resumed.test_accuracy, whole.test_accuracy);

    fs::copy_file(folder / "step4", options.checkpoints.file, fs::copy_options::overwrite_existing);
    const auto from_step4 = train_classifier(layers, input, data, options);
    expect_same_weights(from_step4.weights, whole.weights);
}

TEST(TrainingCheckpoint, ResumedAdversarialClassifierEqualsAnUninterruptedRun) {
    // C's recipe: FGSM batches draw their random start from the loop's generator too.
    const auto data = test::square_images();
    auto options = classifier_options();
    options.epochs = 2;
    options.adversarial_epsilon = 0.1;
    options.adversarial_share = 0.5;
    const auto layers = fashion_classifier_b_layers();
    const auto whole = train_classifier(layers, fashion_classifier_input(), data, options);

    test::ScratchFolder folder;
    options.checkpoints = {folder / "checkpoint.safetensors", 5, false};
    // Killed at the end of the first epoch: the checkpoint of step 5 resumes into a new epoch.
    train_classifier(layers, fashion_classifier_input(), data, options,
                     stop_and_copy(6, 6, options.checkpoints.file, folder / "step5"));
    fs::copy_file(folder / "step5", options.checkpoints.file, fs::copy_options::overwrite_existing);
    options.checkpoints.resume = true;
    const auto resumed = train_classifier(layers, fashion_classifier_input(), data, options);
    expect_same_weights(resumed.weights, whole.weights);
}

TEST(TrainingCheckpoint, ResumedGeneratorEqualsAnUninterruptedRun) {
    const auto data = test::square_images();
    const auto classifier_a = test::briefly_trained_classifier_a(data);
    const NetworkClassifier& classifier = *classifier_a;
    GeneratorTraining options;
    options.epochs = 2;
    options.batch_size = 16;
    const auto train = [&](const GeneratorTraining& o, const TrainingCallback& callback = {}) {
        return train_generator(classifier, kFashionCodeLayer, fashion_generator_layers(),
                               fashion_generator_output(), fashion_discriminator_layers(), data, o,
                               callback);
    };
    const auto whole = train(options);
    ASSERT_EQ(whole.steps, 10);

    test::ScratchFolder folder;
    options.checkpoints = {folder / "checkpoint.safetensors", 3, false};
    train(options, stop_and_copy(4, 4, options.checkpoints.file, folder / "step3"));
    fs::copy_file(folder / "step3", options.checkpoints.file, fs::copy_options::overwrite_existing);
    options.checkpoints.resume = true;
    const auto resumed = train(options);
    expect_same_weights(resumed.generator, whole.generator);
    expect_same_weights(resumed.discriminator, whole.discriminator);
    EXPECT_DOUBLE_EQ(resumed.test_psnr, whole.test_psnr);
}

TEST(TrainingCheckpoint, AForeignOrLeftoverCheckpointIsRefusedWithWhatToDo) {
    const auto data = test::square_images();
    const auto layers = fashion_classifier_b_layers();
    test::ScratchFolder folder;
    auto options = classifier_options();
    options.checkpoints = {folder / "checkpoint.safetensors", 2, false};
    train_classifier(layers, fashion_classifier_input(), data, options,
                     [](const TrainingProgress& p) { return p.step < 3; });
    ASSERT_TRUE(fs::exists(options.checkpoints.file));

    // A new run without --resume does not overwrite the interrupted one.
    const auto before = fs::last_write_time(options.checkpoints.file);
    const auto leftover = test::error_of(
        [&] { train_classifier(layers, fashion_classifier_input(), data, options); });
    EXPECT_NE(leftover.find("checkpoint.safetensors"), std::string::npos) << leftover;
    EXPECT_NE(leftover.find("add --resume to continue it, or delete the file"), std::string::npos)
        << leftover;
    EXPECT_EQ(fs::last_write_time(options.checkpoints.file), before);

    // Other settings: the message names what differs.
    options.checkpoints.resume = true;
    auto other = options;
    other.seed = 9;
    other.learning_rate = 0.5;
    const auto mismatch =
        test::error_of([&] { train_classifier(layers, fashion_classifier_input(), data, other); });
    EXPECT_NE(mismatch.find("other settings (learning_rate, seed)"), std::string::npos) << mismatch;

    // Another architecture's checkpoint: refused by settings before any tensor is touched.
    const auto foreign = test::error_of([&] {
        train_classifier(fashion_classifier_a_layers(), fashion_classifier_input(), data, options);
    });
    EXPECT_NE(foreign.find("other settings (layers)"), std::string::npos) << foreign;

    // A damaged file names itself.
    {
        std::ofstream out(options.checkpoints.file, std::ios::binary | std::ios::trunc);
        out << "not a checkpoint";
    }
    const auto damaged = test::error_of(
        [&] { train_classifier(layers, fashion_classifier_input(), data, options); });
    EXPECT_NE(damaged.find("checkpoint.safetensors"), std::string::npos) << damaged;
}

TEST(TrainingCheckpoint, AResumedRunWithoutACheckpointStartsFromTheFirstStep) {
    const auto data = test::square_images();
    test::ScratchFolder folder;
    auto options = classifier_options();
    options.max_steps = 2;
    options.checkpoints = {folder / "none.safetensors", 1, true};
    std::int64_t first = -1;
    train_classifier(fashion_classifier_b_layers(), fashion_classifier_input(), data, options,
                     [&](const TrainingProgress& p) {
                         if (first < 0)
                             first = p.step;
                         return true;
                     });
    EXPECT_EQ(first, 1);
}

}  // namespace
}  // namespace dgnam
