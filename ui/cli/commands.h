#pragma once
// Each command adds itself to the application and returns what runs it after parsing.
#include <CLI/CLI.hpp>

#include <functional>

#include "common_options.h"

namespace dgnam::cli {

using Command = std::function<int()>;

Command add_layers_command(CLI::App& app, const CommonOptions& common);
Command add_synthesize_command(CLI::App& app, const CommonOptions& common);
Command add_train_command(CLI::App& app, const CommonOptions& common);
Command add_topk_command(CLI::App& app, const CommonOptions& common);
Command add_pack_command(CLI::App& app, const CommonOptions& common);
Command add_bench_command(CLI::App& app, const CommonOptions& common);
Command add_doctor_command(CLI::App& app, const CommonOptions& common);
Command add_gallery_command(CLI::App& app, const CommonOptions& common);

}  // namespace dgnam::cli
