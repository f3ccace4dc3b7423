#pragma once
// Options every command shares, and how they turn into a loaded pack on a device.
#include <CLI/CLI.hpp>

#include <string>

#include "dgnam/model_pack.h"

namespace dgnam::cli {

struct CommonOptions {
    std::string pack;  // "" = the bundled pack
    std::string device = "auto";
    int threads = 0;
    bool allow_torchscript = false;

    void add_to(CLI::App& app);
    // Loads the pack (throws dgnam::Error naming the file) and sets the thread count.
    ModelPack load_pack() const;
    c10::Device parsed_device() const;
};

}  // namespace dgnam::cli
