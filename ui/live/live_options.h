#pragma once
// dgnam-live's command line.
#include <cstdint>
#include <optional>
#include <string>

namespace dgnam::live {

struct LiveOptions {
    std::string pack;   // "" = the bundled pack
    std::string layer;  // "" = the default classifier's output layer
    std::int64_t unit = 0;
    std::string device = "auto";
    std::string precision = "float32";  // or "bfloat16" (execution_mode.h)
    int threads = 0;                    // 0 = one per hardware thread
    bool allow_torchscript = false;     // TorchScript files in a pack run code when loaded
    int iterations = 0;                 // steps per run; 0 = the default (200)
    // Scripted mode (tests, demos): show `frames` frames with the optimisation running, save
    // what the window shows to `screenshot`, exit.
    std::string screenshot;
    int frames = 60;

    bool scripted() const { return !screenshot.empty(); }
};

struct ParsedOptions {
    std::optional<LiveOptions> options;  // empty: exit with exit_code
    int exit_code = 0;                   // 0 after --help, 2 for malformed arguments
};

// Parses argv with CLI11; --help and usage errors are printed here.
ParsedOptions parse_live_options(int argc, const char* const* argv);

}  // namespace dgnam::live
