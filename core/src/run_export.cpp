#include "dgnam/run_export.h"

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

}  // namespace dgnam
