// `dgnam pack create`: a model pack from the paper's Caffe files.
#include <cstdio>

#include "commands.h"
#include "dgnam/caffe_pack.h"

namespace dgnam::cli {
namespace {

struct PackOptions {
    std::string out;
    std::vector<std::string> generator;                 // PROTOTXT CAFFEMODEL
    std::vector<std::vector<std::string>> classifiers;  // ID PROTOTXT CAFFEMODEL, repeated
    std::vector<std::string> output_layers;             // one per classifier, optional
    CaffePackSources sources;
    std::string bounds, labels;
    bool force = false;
};

}  // namespace

Command add_pack_command(CLI::App& app, const CommonOptions&) {
    auto* pack = app.add_subcommand("pack", "Model packs: assemble one from Caffe files");
    pack->require_subcommand(1);
    auto* create = pack->add_subcommand(
        "create",
        "Assemble a pack from a Caffe generator, classifiers, a bound file and labels (the "
        "paper's generator.prototxt/.caffemodel, CaffeNet or GoogLeNet, act_range/3x/fc6.txt, "
        "synset_words.txt)");
    auto o = std::make_shared<PackOptions>();
    create->add_option("--out", o->out, "Folder of the new pack")->required();
    create->add_option("--name", o->sources.name, "Name of the pack (default: the folder's)");
    create->add_option("--description", o->sources.description, "One line about the pack");
    create->add_option("--generator", o->generator, "The generator: PROTOTXT CAFFEMODEL")
        ->expected(2)
        ->required();
    create
        ->add_option("--classifier", o->classifiers,
                     "A classifier: ID PROTOTXT CAFFEMODEL (repeat for more; the first is the one "
                     "the generator inverts)")
        ->expected(3)
        ->required();
    create->add_option("--output-layer", o->output_layers,
                       "Output layer of each classifier, in order (default: the layer a final "
                       "Softmax reads, e.g. fc8)");
    create
        ->add_option("--code-layer", o->sources.code_layer,
                     "The first classifier's layer the generator inverts")
        ->capture_default_str();
    create->add_option("--bounds", o->bounds, "Upper code bounds: one line of numbers per unit")
        ->required();
    create->add_option("--labels", o->labels,
                       "Class labels, one per line (synset_words.txt works as it is)");
    create->add_flag("--link", o->sources.link,
                     "Link the .caffemodel files instead of copying them");
    create->add_flag("--force", o->force, "Replace a pack already in --out");
    return [o] {
        auto sources = o->sources;
        sources.generator_prototxt = o->generator.at(0);
        sources.generator_caffemodel = o->generator.at(1);
        sources.upper_bounds = o->bounds;
        sources.labels = o->labels;
        for (std::size_t i = 0; i < o->classifiers.size(); ++i) {
            const auto& c = o->classifiers[i];
            sources.classifiers.push_back(
                {c.at(0), c.at(1), c.at(2),
                 i < o->output_layers.size() ? o->output_layers[i] : std::string()});
        }
        const auto made = create_caffe_pack(sources, o->out, o->force);
        std::printf("pack \"%s\" written to %s: %zu classifier%s, generator code %lld -> %s:%s\n",
                    made.name.c_str(), o->out.c_str(), made.classifiers.size(),
                    made.classifiers.size() == 1 ? "" : "s",
                    static_cast<long long>(made.generator->code_size()),
                    made.generator_classifier.c_str(), made.code_layer.c_str());
        std::printf("open it with: dgnam layers --pack %s   or   dgnam-studio --pack %s\n",
                    o->out.c_str(), o->out.c_str());
        return 0;
    };
}

}  // namespace dgnam::cli
