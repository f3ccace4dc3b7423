#include "dgnam/run_export.h"

#include "dgnam/error.h"

namespace dgnam {

GalleryItem to_gallery_item(const UnitResult& result) {
    GalleryItem item;
    item.layer = result.layer;
    item.unit = result.unit;
    item.label = result.label;
    item.image = result.image;
    item.activation = result.activation;
    item.probability = result.probability;
    item.seed = result.seed;
    item.iterations = result.iterations;
    return item;
}

nlohmann::json run_model_json(const ModelPack& pack, const std::string& classifier,
                              const std::string& layer) {
    nlohmann::json model = pack.summary();
    model["classifier"] = classifier;
    model["layer"] = layer;
    return model;
}

nlohmann::json run_params_json(const RunRequest& request, const c10::Device& device) {
    nlohmann::json params = request.params.to_json();
    params["method"] = to_string(request.method);
    params["spatial"] = to_string(request.objective.spatial);
    params["negate"] = request.objective.negate;
    params["batch"] = request.batch_size;
    params["device"] = device.str();
    return params;
}

void export_results(const std::filesystem::path& folder, const UnitResults& results,
                    const ModelPack& pack, const std::string& classifier, const RunRequest& request,
                    const c10::Device& device, bool overwrite) {
    std::vector<std::string> order;
    for (const LayerInfo& layer : pack.classifier(classifier).layers())
        order.push_back(layer.name);
    std::vector<GalleryItem> items;
    for (const UnitResult* result : results.of_classifier(classifier, order))
        items.push_back(to_gallery_item(*result));
    if (items.empty())
        throw Error("nothing to export yet: let a unit of classifier \"" + classifier +
                    "\" finish first");
    write_gallery(folder, run_model_json(pack, classifier, items.front().layer),
                  run_params_json(request, device), items, {overwrite, 10});
}

}  // namespace dgnam
