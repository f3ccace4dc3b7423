#pragma once
// `dgnam pack create`: a model pack assembled from the paper's Caffe files (generator, one or
// more classifiers, the per-unit bound file, labels such as synset_words.txt), so that the
// studio and the command line open it like the bundled pack.
#include <filesystem>
#include <string>
#include <vector>

#include "dgnam/model_pack.h"

namespace dgnam {

struct CaffeClassifierSource {
    std::string id;
    std::filesystem::path prototxt, caffemodel;
    std::string output_layer;  // "" = the layer a final Softmax reads (fc8, loss3/classifier)
};

struct CaffePackSources {
    std::string name;
    std::string description;
    std::filesystem::path generator_prototxt, generator_caffemodel;
    std::filesystem::path upper_bounds;  // act_range/3x/fc6.txt: one number per code unit
    std::string bounds_method = "per-unit upper bounds from the paper's act_range file";
    std::vector<CaffeClassifierSource> classifiers;  // the first is the one G was trained on
    std::string code_layer = "fc6";                  // that classifier's layer G inverts
    std::filesystem::path labels;  // optional: synset_words.txt ("n01440764 tench, ...") or one
                                   // label per line
    bool link = false;             // symlink the weight files instead of copying them
};

// Loads and cross-checks everything (bounds against the generator's code size, the code layer
// against the first classifier, labels against each output layer), then writes the pack into
// `folder`: the files (copied or linked), labels.txt and manifest.json. An existing pack there
// is replaced only with `force`. Throws dgnam::Error naming the file and the problem; a file
// that fails to load or check leaves `folder` untouched, each file is renamed into place whole,
// and the manifest comes last. Returns the pack as load_model_pack reads it back.
ModelPack create_caffe_pack(const CaffePackSources& sources, const std::filesystem::path& folder,
                            bool force);

// The labels of a synset_words.txt-style file, with the WordNet ids dropped.
std::vector<std::string> read_label_lines(const std::filesystem::path& path);

}  // namespace dgnam
