#pragma once
// What every front end writes when it exports the results of runs: the gallery item of a unit
// result, and the "model" and "params" records of gallery.json.
#include <nlohmann/json.hpp>

#include <c10/core/Device.h>

#include "dgnam/gallery.h"
#include "dgnam/model_pack.h"
#include "dgnam/unit_results.h"
#include "dgnam/worker.h"

namespace dgnam {

GalleryItem to_gallery_item(const UnitResult& result);

// The pack's summary with the classifier and layer the items belong to.
nlohmann::json run_model_json(const ModelPack& pack, const std::string& classifier,
                              const std::string& layer);

// Every optimiser parameter plus the method, the objective's spatial mode and sign, the batch
// size and the device.
nlohmann::json run_params_json(const RunRequest& request, const c10::Device& device);

// Writes every result of `classifier` (ordered by layer, then unit) as a gallery, recording
// `request`'s parameters. Throws dgnam::Error when there is nothing to export, or naming the
// folder or file that could not be written; files already there stay intact.
void export_results(const std::filesystem::path& folder, const UnitResults& results,
                    const ModelPack& pack, const std::string& classifier, const RunRequest& request,
                    const c10::Device& device, bool overwrite);

}  // namespace dgnam
