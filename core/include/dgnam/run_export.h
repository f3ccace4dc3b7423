#pragma once
// What every front end writes when it exports the results of runs: the gallery item of a unit
// result, and the "model" and "params" records of gallery.json.
#include <nlohmann/json.hpp>

#include <c10/core/Device.h>

#include "dgnam/gallery.h"
#include "dgnam/model_pack.h"
#include "dgnam/worker.h"

namespace dgnam {

GalleryItem to_gallery_item(const UnitResult& result);

// The pack's summary with the classifier and layer the items belong to.
nlohmann::json run_model_json(const ModelPack& pack, const std::string& classifier,
                              const std::string& layer);

// Every optimiser parameter plus the method, the objective's spatial mode and sign, the batch
// size and the device.
nlohmann::json run_params_json(const RunRequest& request, const c10::Device& device);

}  // namespace dgnam
