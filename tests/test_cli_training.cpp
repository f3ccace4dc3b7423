// The pack's whole pipeline through the binary, a couple of steps per network: train A, train G
// on A's code layer, then open the result as a pack, synthesize and look up top images.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "dgnam/fashion_mnist.h"
#include "dgnam/gallery.h"
#include "dgnam/judge.h"
#include "dgnam/model_pack.h"
#include "test_paths.h"
#include "test_support.h"

namespace dgnam {
namespace {

TEST(CliTraining, TrainedFilesOpenAsAPackAndSynthesize) {
    if (!std::filesystem::exists(default_fashion_mnist_folder() / "t10k-labels-idx1-ubyte.gz"))
        GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    test::ScratchFolder folder;
    // 1,000 training and 300 test images, batches of 16: the pipeline, not the accuracy, is under
    // test.
    test::write_fashion_mnist_subset(folder / "data", 1000, 300);
    const std::string dgnam = "DGNAM_FASHION_MNIST=" + (folder / "data").string() + " " +
                              DGNAM_CLI_PATH + " --threads 2 ";
    const std::string small = " --batch 16 --max-steps 2 --out ";
    const std::string pack = (folder / "pack").string();
    auto r = test::run_command(dgnam + "train classifier" + small + pack);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("classifier A: test accuracy"), std::string::npos) << r.output;
    r = test::run_command(dgnam + "train generator" + small + pack);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("mean PSNR"), std::string::npos) << r.output;

    const auto loaded = load_model_pack(pack);
    ASSERT_TRUE(loaded.generator);
    EXPECT_EQ(loaded.code_layer, "relu4");
    EXPECT_EQ(loaded.generator->output().shape, (std::vector<std::int64_t>{1, 32, 32}));
    EXPECT_EQ(loaded.classifier().labels().at(9), "Ankle boot");
    EXPECT_TRUE(std::filesystem::exists(folder / "pack" / "training.json"));
    EXPECT_EQ(loaded.realism_judge, "");

    // B (clean) and C (adversarially trained, the realism check) join the pack.
    for (const char* which : {"b", "c"}) {
        r = test::run_command(dgnam + "train classifier --which " + which + small + pack);
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    const auto three = load_model_pack(pack);
    ASSERT_EQ(three.classifiers.size(), 3u);
    EXPECT_EQ(three.classifiers[1]->id(), "B");
    EXPECT_EQ(three.classifiers[2]->id(), "C");
    EXPECT_EQ(three.realism_judge, "C");
    EXPECT_EQ(find_judge(three, "A", "fc5")->id(), "C");
    EXPECT_EQ(find_judge(three, "B", "fc")->id(), "C");
    EXPECT_EQ(find_judge(three, "C", "fc")->id(), "A");
    std::ifstream record(folder / "pack" / "training.json");
    const auto training = nlohmann::json::parse(record);
    EXPECT_EQ(training.at("classifier_b").at("adversarial_epsilon"), 0.0);
    EXPECT_EQ(training.at("classifier_c").at("adversarial_epsilon"), 0.1);

    r = test::run_command(dgnam + "--pack " + pack + " synthesize --units 9 --iterations 3 --out " +
                          (folder / "g").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("Ankle boot"), std::string::npos) << r.output;
    r = test::run_command(dgnam + "--pack " + pack + " topk --layer conv2 --unit 5 --k 4 --out " +
                          (folder / "top.png").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(std::filesystem::exists(folder / "top.png"));
    EXPECT_NE(r.output.find("rank"), std::string::npos);

    r = test::run_command(dgnam + "train generator --max-steps 2 --out " +
                          (folder / "empty").string());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("train classifier A first"), std::string::npos) << r.output;
}

std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(CliTraining, AKilledOrStoppedRunResumesToTheWeightsOfAnUninterruptedOne) {
    if (!std::filesystem::exists(default_fashion_mnist_folder() / "t10k-labels-idx1-ubyte.gz"))
        GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    test::ScratchFolder folder;
    // Batches of 16, not 128: the resumption, not the learning, is under test, and under
    // AddressSanitizer each large tensor is mapped afresh (a step ~1 s at 128, 0.2 s at 16).
    test::write_fashion_mnist_subset(folder / "data", 1000, 200);
    const std::string train = std::string(DGNAM_CLI_PATH) +
                              " --threads 2 train classifier --which b --batch 16 --max-steps 30 "
                              "--checkpoint-every 5 --data " +
                              (folder / "data").string() + " --out ";
    const auto whole = folder / "whole";
    auto r = test::run_command(train + whole.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_FALSE(std::filesystem::exists(whole / "checkpoint-classifier-b.safetensors"))
        << "a finished run removes its checkpoint";

    // Killed (SIGKILL, no chance to clean up) as soon as its first checkpoint lands.
    const auto part = folder / "part";
    const auto checkpoint = part / "checkpoint-classifier-b.safetensors";
    r = test::run_command("sh -c '" + train + part.string() +
                          " >/dev/null 2>&1 & pid=$!; while [ ! -e " + checkpoint.string() +
                          " ]; do kill -0 $pid 2>/dev/null || exit 3; sleep 0.02; done; "
                          "kill -9 $pid; wait $pid; exit 0'");
    ASSERT_EQ(r.exit_code, 0) << "the run ended before its first checkpoint: " << r.output;
    ASSERT_TRUE(std::filesystem::exists(checkpoint));
    EXPECT_FALSE(std::filesystem::exists(part / "classifier_b.safetensors"));

    r = test::run_command(train + part.string());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("add --resume to continue it"), std::string::npos) << r.output;

    r = test::run_command(train + part.string() + " --resume");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("resuming classifier-b from"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(checkpoint));
    const auto expected = file_bytes(whole / "classifier_b.safetensors");
    ASSERT_GT(expected.size(), 100000u);
    EXPECT_TRUE(file_bytes(part / "classifier_b.safetensors") == expected)
        << "the resumed weights differ from the uninterrupted run's";

    // Asked to stop (SIGTERM; Ctrl+C's SIGINT takes the same path, but a background job of a
    // shell without job control ignores SIGINT) once its first periodic checkpoint lands: it saves
    // its state at the end of the step it is in and says how to go on.
    const auto stopped = folder / "stopped";
    const auto stopped_checkpoint = stopped / "checkpoint-classifier-b.safetensors";
    r = test::run_command("sh -c '" + train + stopped.string() + " >" +
                          (folder / "stopped.log").string() + " 2>&1 & pid=$!; while [ ! -e " +
                          stopped_checkpoint.string() +
                          " ]; do kill -0 $pid 2>/dev/null || exit 3; sleep 0.02; done; "
                          "kill -TERM $pid; wait $pid; echo exit=$?; cat " +
                          (folder / "stopped.log").string() + "'");
    ASSERT_EQ(r.exit_code, 0) << "the run ended before its first checkpoint: " << r.output;
    EXPECT_NE(r.output.find("exit=143"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("its state is saved in " + stopped_checkpoint.string() +
                            ": run the same command with --resume to continue"),
              std::string::npos)
        << r.output;
    EXPECT_FALSE(std::filesystem::exists(stopped / "classifier_b.safetensors"));
    ASSERT_TRUE(std::filesystem::exists(stopped_checkpoint));
    r = test::run_command(train + stopped.string() + " --resume");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(file_bytes(stopped / "classifier_b.safetensors") == expected)
        << "the weights after a stop and --resume differ from the uninterrupted run's";
}

}  // namespace
}  // namespace dgnam
