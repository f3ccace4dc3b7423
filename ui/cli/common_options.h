#pragma once
// Options every command shares, and how they turn into a loaded pack on a device.
#include <CLI/CLI.hpp>

#include <string>

#include "dgnam/execution_mode.h"
#include "dgnam/model_pack.h"

namespace dgnam::cli {

struct CommonOptions {
    std::string pack;  // "" = the bundled pack
    std::string device = "auto";
    int threads = 0;
    bool allow_torchscript = false;
    std::string precision = "float32";  // or "bfloat16" (execution_mode.h)

    void add_to(CLI::App& app);
    // Loads the pack (throws dgnam::Error naming the file), sets the thread count and runs its
    // networks in the chosen precision.
    ModelPack load_pack() const;
    ExecutionMode execution_mode() const;
    c10::Device parsed_device() const;
};

}  // namespace dgnam::cli
