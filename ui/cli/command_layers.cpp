// `dgnam layers`: what a pack holds, layer by layer.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "commands.h"
#include "dgnam/shape_text.h"

namespace dgnam::cli {
namespace {

nlohmann::json describe(const ModelPack& pack) {
    nlohmann::json out;
    out["pack"] = pack.name;
    out["folder"] = pack.folder.string();
    out["classifiers"] = nlohmann::json::array();
    for (const auto& c : pack.classifiers) {
        nlohmann::json layers = nlohmann::json::array();
        for (const auto& l : c->layers())
            layers.push_back({{"name", l.name},
                              {"type", l.type},
                              {"kind", to_string(l.kind)},
                              {"shape", l.shape},
                              {"units", l.units()}});
        out["classifiers"].push_back({{"id", c->id()},
                                      {"name", c->name()},
                                      {"input", c->input().shape},
                                      {"output_layer", c->output_layer()},
                                      {"labels", c->labels()},
                                      {"layers", layers}});
    }
    if (pack.generator)
        out["generator"] = {{"code_size", pack.generator->code_size()},
                            {"output", pack.generator->output().shape},
                            {"classifier", pack.generator_classifier},
                            {"code_layer", pack.code_layer}};
    return out;
}

void print_text(const ModelPack& pack) {
    std::printf("pack %s (%s)\n", pack.name.c_str(), pack.folder.string().c_str());
    for (const auto& c : pack.classifiers) {
        std::printf("\nclassifier %s: %s, input %s\n", c->id().c_str(), c->name().c_str(),
                    joined_sizes(c->input().shape).c_str());
        std::printf("  %-20s %-18s %-14s %s\n", "layer", "type", "shape", "units");
        for (const auto& l : c->layers()) {
            std::printf("  %-20s %-18s %-14s %lld%s\n", l.name.c_str(), l.type.c_str(),
                        joined_sizes(l.shape).c_str(), static_cast<long long>(l.units()),
                        l.name == c->output_layer() ? "  (output)" : "");
        }
        if (!c->labels().empty()) {
            std::printf("  labels:");
            for (std::size_t i = 0; i < c->labels().size(); ++i)
                std::printf(" %zu=%s%s", i, c->labels()[i].c_str(),
                            i + 1 < c->labels().size() ? "," : "");
            std::printf("\n");
        }
    }
    if (pack.generator)
        std::printf("\ngenerator: code of %lld units (%s:%s), image %s\n",
                    static_cast<long long>(pack.generator->code_size()),
                    pack.generator_classifier.c_str(), pack.code_layer.c_str(),
                    joined_sizes(pack.generator->output().shape).c_str());
    else
        std::printf("\nno generator: only the pixel method runs on this pack\n");
}

}  // namespace

Command add_layers_command(CLI::App& app, const CommonOptions& common) {
    auto* sub = app.add_subcommand("layers", "List the pack's networks and their layers");
    auto json = std::make_shared<bool>(false);
    sub->add_flag("--json", *json, "Print machine-readable JSON");
    return [&common, json] {
        const ModelPack pack = common.load_pack();
        if (*json)
            std::cout << describe(pack).dump(2) << "\n";
        else
            print_text(pack);
        return 0;
    };
}

}  // namespace dgnam::cli
