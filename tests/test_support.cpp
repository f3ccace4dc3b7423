#include "test_support.h"

#include <ATen/CPUGeneratorImpl.h>

#include <sys/wait.h>
#include <cstdio>
#include <fstream>
#include <random>

#include "dgnam/error.h"
#include "dgnam/fashion_pack.h"
#include "dgnam/safetensors.h"
#include "dgnam/training.h"

namespace dgnam::test {
namespace fs = std::filesystem;

ScratchFolder::ScratchFolder() {
    std::random_device device;
    for (;;) {
        path_ = fs::temp_directory_path() / ("dgnam-test-" + std::to_string(device()));
        if (fs::create_directory(path_))
            break;
    }
}

ScratchFolder::~ScratchFolder() {
    std::error_code ec;
    // a test that made the folder read-only and stopped before undoing it
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

PixelSpace identity_grey_space() {
    PixelSpace s;
    s.channels = 1;
    s.scale = 1.0;
    s.mean = {0.0};
    s.stddev = {1.0};
    return s;
}

std::unique_ptr<NetworkGenerator> linear_generator(const at::Tensor& weight, std::int64_t height,
                                                   std::int64_t width, at::Tensor lower,
                                                   at::Tensor upper) {
    const nlohmann::json layers = {
        {{"name", "fc"}, {"type", "linear"}, {"out", height * width}, {"bias", false}},
        {{"name", "image"}, {"type", "reshape"}, {"shape", {1, height, width}}}};
    SequentialNet net(layers, {weight.size(1)}, {{"fc.weight", weight}}, "test generator");
    return std::make_unique<NetworkGenerator>(
        std::move(net), ImageSpec{{1, height, width}, identity_grey_space()},
        CodeBounds{std::move(lower), std::move(upper), "test"});
}

std::unique_ptr<NetworkClassifier> linear_classifier(const at::Tensor& weight, std::int64_t height,
                                                     std::int64_t width) {
    const nlohmann::json layers = {
        {{"name", "fc"}, {"type", "linear"}, {"out", weight.size(0)}, {"bias", false}}};
    SequentialNet net(layers, {1, height, width}, {{"fc.weight", weight}}, "test classifier");
    return std::make_unique<NetworkClassifier>("C", "test classifier", std::move(net),
                                               ImageSpec{{1, height, width}, identity_grey_space()},
                                               "fc", std::vector<std::string>{});
}

void write_tiny_pack(const fs::path& folder, std::uint64_t seed) {
    fs::create_directories(folder);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    auto randn = [&](std::vector<std::int64_t> shape, double scale) {
        return at::randn(shape, gen) * scale;
    };
    TensorMap classifier = {
        {"conv1.weight", randn({4, 1, 3, 3}, 0.5)}, {"conv1.bias", randn({4}, 0.1)},
        {"fc2.weight", randn({16, 64}, 0.2)},       {"fc2.bias", randn({16}, 0.1)},
        {"fc3.weight", randn({3, 16}, 0.5)},        {"fc3.bias", randn({3}, 0.1)}};
    write_safetensors(folder / "classifier_a.safetensors", classifier);
    TensorMap generator = {{"defc1.weight", randn({100, 16}, 0.3)},
                           {"defc1.bias", randn({100}, 0.1)},
                           {"deconv1.weight", randn({4, 1, 4, 4}, 0.3)},
                           {"deconv1.bias", randn({1}, 0.1)}};
    write_safetensors(folder / "generator.safetensors", generator);
    {
        std::ofstream bounds(folder / "bounds_upper.txt");
        for (int i = 0; i < 16; ++i)
            bounds << (i ? " " : "") << 3.0;
        bounds << "\n";
    }
    const nlohmann::json manifest = {
        {"format", "dgnam-pack"},
        {"version", 1},
        {"name", "tiny test pack"},
        {"classifiers",
         {{{"id", "A"},
           {"name", "tiny convnet"},
           {"weights", "classifier_a.safetensors"},
           {"input",
            {{"shape", {1, 8, 8}},
             {"space", {{"channels", "grey"}, {"mean", {0.5}}, {"std", {0.5}}}}}},
           {"output_layer", "fc3"},
           {"labels", {"zero", "one", "two"}},
           {"layers",
            {{{"name", "conv1"}, {"type", "conv2d"}, {"out", 4}, {"kernel", 3}, {"pad", 1}},
             {{"name", "relu1"}, {"type", "relu"}},
             {{"name", "pool1"}, {"type", "max_pool"}, {"kernel", 2}},
             {{"name", "fc2"}, {"type", "linear"}, {"out", 16}},
             {{"name", "relu2"}, {"type", "relu"}},
             {{"name", "fc3"}, {"type", "linear"}, {"out", 3}}}}}}},
        {"generator",
         {{"weights", "generator.safetensors"},
          {"classifier", "A"},
          {"code_layer", "relu2"},
          {"code_size", 16},
          {"output",
           {{"shape", {1, 10, 10}},
            {"space", {{"channels", "grey"}, {"scale", 255.0}, {"mean", {128.0}}}}}},
          {"bounds", {{"lower", 0.0}, {"upper_file", "bounds_upper.txt"}, {"method", "test"}}},
          {"display", {{"mode", "range"}, {"low", -128.0}, {"high", 127.0}}},
          {"layers",
           {{{"name", "defc1"}, {"type", "linear"}, {"out", 100}},
            {{"name", "relu_defc1"}, {"type", "leaky_relu"}, {"slope", 0.3}},
            {{"name", "reshape"}, {"type", "reshape"}, {"shape", {4, 5, 5}}},
            {{"name", "deconv1"},
             {"type", "conv_transpose2d"},
             {"out", 1},
             {"kernel", 4},
             {"stride", 2},
             {"pad", 1}}}}}}};
    std::ofstream(folder / "manifest.json") << manifest.dump(2);
}

CommandResult run_command(const std::string& command_line) {
    CommandResult result;
    FILE* pipe = popen((command_line + " 2>&1").c_str(), "r");
    if (!pipe)
        return result;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
        result.output.append(buffer, n);
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

double relative_error(const at::Tensor& actual, const at::Tensor& expected) {
    const auto reference = expected.to(at::kDouble);
    return (actual.to(at::kDouble) - reference).abs().max().item<double>() /
           reference.abs().max().item<double>();
}

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

namespace {
LabelledImages squares(std::int64_t n, std::uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    auto images = (at::rand({n, 1, 28, 28}, gen) * 40).to(at::kByte);
    auto labels = at::arange(n).remainder(10);
    for (std::int64_t i = 0; i < n; ++i) {
        const auto c = labels[i].item<std::int64_t>();
        images[i][0].narrow(0, (c / 5) * 14 + 3, 8).narrow(1, (c % 5) * 5, 8).fill_(250);
    }
    return {images, labels};
}
}  // namespace

FashionMnist square_images() {
    return {squares(80, 1), squares(40, 2)};
}

std::unique_ptr<NetworkClassifier> briefly_trained_classifier_a(const FashionMnist& data) {
    ClassifierTraining options;
    options.max_steps = 3;
    options.batch_size = 16;
    const auto a =
        train_classifier(fashion_classifier_a_layers(), fashion_classifier_input(), data, options);
    return std::make_unique<NetworkClassifier>(
        "A", "A", SequentialNet(fashion_classifier_a_layers(), {1, 28, 28}, a.weights, "a"),
        fashion_classifier_input(), "fc5", std::vector<std::string>{});
}

}  // namespace dgnam::test
