#pragma once
// The real images of a data set that drive one unit hardest, to show next to its synthetic
// preferred images (as the Deep Visualization Toolbox and OpenAI Microscope do).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dgnam/classifier.h"
#include "dgnam/fashion_mnist.h"
#include "dgnam/image.h"
#include "dgnam/objective.h"

namespace dgnam {

struct TopImage {
    std::int64_t index;  // row of the data set
    double activation;   // the unit's raw activation (before objective.negate)
    std::int64_t label;  // the data set's label of that row
};

// Runs every image of `data` through `classifier` up to `layer` ("" = the output layer) in
// batches without gradients and returns the k images whose objective value for `unit` is
// largest, best first; equal values keep the lower index first, NaN ranks last. The objective
// is read as the optimiser reads it: a convolutional layer honours objective.spatial, and
// objective.negate ranks the images that drive the unit lowest first. Images go from uint8
// [0, 255] to the classifier's input space; they must have its channel count and height and
// width (nothing is resized). Batches run on the device that data.images is on, which must be
// the classifier's. `progress` receives the fraction done after each batch; when it returns
// false the search stops and the best images found so far are returned.
// Throws dgnam::Error for an unknown layer, a unit or position outside it, k < 1,
// batch_size < 1, or data that does not fit the classifier.
std::vector<TopImage> top_activating_images(const Classifier& classifier, const std::string& layer,
                                            std::int64_t unit, const Objective& objective,
                                            const LabelledImages& data, int k, int batch_size = 256,
                                            const std::function<bool(double)>& progress = {});

// One image of `data` ([N, 1 or 3, H, W] uint8) as 8-bit RGB; grey is replicated.
// Throws dgnam::Error for an index outside the data set.
Image8 labelled_image_to_rgb8(const LabelledImages& data, std::int64_t index);

}  // namespace dgnam
