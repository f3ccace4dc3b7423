// `dgnam topk`: the real data-set images that drive a unit hardest, beside its preferred image.
#include <cstdio>

#include "commands.h"
#include "dgnam/error.h"
#include "dgnam/fashion_mnist.h"
#include "dgnam/gallery.h"
#include "dgnam/png_io.h"
#include "dgnam/top_images.h"
#include "progress_bar.h"

namespace dgnam::cli {
namespace {

struct TopkOptions {
    std::string classifier;
    std::string layer;
    std::int64_t unit = 0;
    int k = 9;
    std::string spatial = "centre";
    std::string split = "test";
    std::string data;
    std::string out;
};

int topk(const CommonOptions& common, const TopkOptions& o) {
    const ModelPack pack = common.load_pack();
    const Classifier& classifier = pack.classifier(o.classifier);
    const std::string layer = o.layer.empty() ? classifier.output_layer() : o.layer;
    Objective objective;
    objective.layer = layer;
    objective.spatial = spatial_mode_from_string(o.spatial);
    if (o.split != "test" && o.split != "train")
        throw Error("--split must be test or train");
    const FashionMnist data = load_fashion_mnist(o.data.empty() ? default_fashion_mnist_folder()
                                                                : std::filesystem::path(o.data));
    const LabelledImages& images = o.split == "test" ? data.test : data.train;
    std::vector<TopImage> top;
    {
        ProgressBar bar("topk");
        top = top_activating_images(classifier, layer, o.unit, objective, images, o.k, 256,
                                    [&](double fraction) {
                                        bar.update(fraction, o.split + " images");
                                        return true;
                                    });
    }
    const auto& labels = fashion_mnist_labels();
    std::printf("%-6s %-8s %-14s %12s\n", "rank", "index", "label", "activation");
    std::vector<GalleryItem> sheet;
    for (std::size_t i = 0; i < top.size(); ++i) {
        const auto& t = top[i];
        const std::string label = t.label >= 0 && t.label < static_cast<std::int64_t>(labels.size())
                                      ? labels[t.label]
                                      : std::to_string(t.label);
        std::printf("%-6zu %-8lld %-14s %12.4f\n", i + 1, static_cast<long long>(t.index),
                    label.c_str(), t.activation);
        GalleryItem item;
        item.layer = layer;
        item.unit = t.index;
        item.label = label;
        item.image = labelled_image_to_rgb8(images, t.index);
        item.activation = t.activation;
        sheet.push_back(std::move(item));
    }
    if (!o.out.empty()) {
        write_png(o.out, make_contact_sheet(sheet, std::min<int>(3, sheet.size()), 84));
        std::printf("contact sheet written to %s (captions: data-set index and label)\n",
                    o.out.c_str());
    }
    return 0;
}

}  // namespace

Command add_topk_command(CLI::App& app, const CommonOptions& common) {
    auto* sub =
        app.add_subcommand("topk", "Find the real Fashion-MNIST images that most activate a unit");
    auto o = std::make_shared<TopkOptions>();
    sub->add_option("--classifier", o->classifier, "Classifier id in the pack (default: first)");
    sub->add_option("--layer", o->layer, "Layer (default: the output layer)");
    sub->add_option("--unit", o->unit, "Unit (channel for a convolutional layer)")->required();
    sub->add_option("--k", o->k, "How many images")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    sub->add_option("--spatial", o->spatial, "Conv layers: centre, mean or position")
        ->capture_default_str();
    sub->add_option("--split", o->split, "test or train")->capture_default_str();
    sub->add_option("--data", o->data, "Fashion-MNIST folder");
    sub->add_option("--out", o->out, "Write a contact sheet PNG of the images here");
    return [&common, o] { return topk(common, *o); };
}

}  // namespace dgnam::cli
