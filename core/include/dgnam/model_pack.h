#pragma once
// A model pack: a folder with manifest.json and safetensors weights holding one or more
// classifiers and, optionally, a generator with its code bounds.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dgnam/classifier.h"
#include "dgnam/display_mapping.h"
#include "dgnam/generator.h"

namespace dgnam {

struct ModelPack {
    std::filesystem::path folder;
    std::string name;
    std::string description;
    std::vector<std::unique_ptr<Classifier>> classifiers;  // the first is the default
    std::unique_ptr<Generator> generator;                  // null: pixel-space methods only
    std::string generator_classifier;  // the classifier whose code layer G inverts
    std::string code_layer;
    // The classifier that judges how real the images made for the others look (find_judge);
    // "" = any other classifier with the same classes.
    std::string realism_judge;
    DisplayMapping display;  // how the generator's images are shown

    // Throws dgnam::Error naming the id and the pack's classifiers when absent; "" = default.
    Classifier& classifier(const std::string& id = "") const;
    // The pack's identity as gallery.json's "model" records it.
    nlohmann::json summary() const;
    void to(const at::Device& device);
    // Every network of the pack (execution_mode.h); TorchScript models ignore its bfloat16.
    void set_execution_mode(const ExecutionMode& mode);
};

// What a pack may make the program run. Weights (safetensors, Caffe protobuf) are data; a
// TorchScript model carries code that runs when it is loaded, so it needs the user's consent.
enum class PackTrust { DataOnly, AllowTorchScript };

// Throws dgnam::Error naming the file (manifest or weights) and the problem, and for a
// TorchScript entry under PackTrust::DataOnly.
ModelPack load_model_pack(const std::filesystem::path& folder,
                          PackTrust trust = PackTrust::DataOnly);

// The files of a pack that would run code when loaded (its TorchScript entries), read from the
// manifest alone so that a front end can ask the user before anything is loaded. Throws
// dgnam::Error for a manifest that cannot be read.
std::vector<std::filesystem::path> pack_code_files(const std::filesystem::path& folder);

// The bundled pack: $DGNAM_PACK if set, else share/dgnam beside the running program (bin/..),
// else the configured install folder, else the source tree's
// resources/ (for a build that is not installed). Throws dgnam::Error when none is found.
std::filesystem::path default_pack_folder();

// A description in resources/architectures (fc6_generator.prototxt, caffenet_deploy.prototxt,
// googlenet_deploy.prototxt), found as the bundled pack is. Throws dgnam::Error.
std::filesystem::path bundled_architecture(const std::string& file_name);

}  // namespace dgnam
