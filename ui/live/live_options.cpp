#include "live_options.h"

#include <CLI/CLI.hpp>

namespace dgnam::live {

ParsedOptions parse_live_options(int argc, const char* const* argv) {
    CLI::App app("dgnam-live: watch the preferred image of a neuron form (GLFW + Dear ImGui)",
                 "dgnam-live");
    LiveOptions options;
    app.add_option("--pack", options.pack, "Model pack folder (default: the bundled pack)");
    app.add_option("--layer", options.layer, "Layer of the first unit (default: the output layer)");
    app.add_option("--unit", options.unit, "First unit to visualise")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    app.add_option("--device", options.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    app.add_option("--precision", options.precision,
                   "float32, or bfloat16: convolutions in bfloat16 (faster on CPUs with "
                   "AVX512-BF16; results within about 1% of float32)")
        ->capture_default_str()
        ->check(CLI::IsMember({"float32", "bfloat16"}));
    app.add_option("--threads", options.threads, "CPU threads for the maths (0 = all cores)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1024));
    app.add_option("--iterations", options.iterations,
                   "Steps per run (default: 200; the Iterations field changes it later)")
        ->check(CLI::Range(1, 1000000));
    app.add_flag("--allow-torchscript", options.allow_torchscript,
                 "Load a pack's TorchScript models (their files run code when loaded; only for "
                 "packs you trust)");
    auto* screenshot = app.add_option("--screenshot", options.screenshot,
                                      "Save what the window shows to this PNG and exit");
    app.add_option("--frames", options.frames, "With --screenshot: frames to show first")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000))
        ->needs(screenshot);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help prints and succeeds; anything else is a usage error (exit 2).
        const int printed = app.exit(e);
        return ParsedOptions{std::nullopt, printed == 0 ? 0 : 2};
    }
    return ParsedOptions{options, 0};
}

}  // namespace dgnam::live
