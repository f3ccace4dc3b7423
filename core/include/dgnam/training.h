#pragma once
// `dgnam train`: the bundled pack's networks trained from Debian's Fashion-MNIST on this machine,
// seeded. Each function reports progress through a callback that doubles as the cancellation
// point (return false to stop early; the weights so far are returned, and a checkpoint is saved
// when the options name one). With a checkpoint schedule the loop saves its whole state every
// few steps; a run resumed from it ends with the weights of an uninterrupted one.
#include <ATen/Tensor.h>
#include <ATen/core/Generator.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dgnam/classifier.h"
#include "dgnam/fashion_mnist.h"
#include "dgnam/safetensors.h"
#include "dgnam/sequential_net.h"
#include "dgnam/training_checkpoint.h"

namespace dgnam {

struct TrainingProgress {
    std::string phase;
    std::int64_t step = 0;
    std::int64_t steps = 0;
    double loss = 0.0;
    double seconds_left = 0.0;
};
using TrainingCallback = std::function<bool(const TrainingProgress&)>;

struct ClassifierTraining {
    int epochs = 8;
    int batch_size = 128;
    double learning_rate = 1e-3;  // Adam, decayed linearly to zero
    std::uint64_t seed = 1;
    std::int64_t max_steps = -1;  // a cap for tests; -1 = every epoch in full
    bool augment = true;          // random horizontal flips
    // Trains on adversarial images instead of clean ones when > 0: one signed-gradient step from
    // a random start inside an L-infinity ball of this radius, in [0, 1] grey levels (FGSM with a
    // random start, Wong, Rice & Kolter 2020). Such a classifier is not fooled by the
    // high-frequency patterns of pixel-space activation maximisation, which makes it a realism
    // check; it costs one more forward and backward pass per step.
    double adversarial_epsilon = 0.0;
    // The share of each batch that is replaced by adversarial images (the rest stays clean, as
    // in Goodfellow et al. 2015's mixed objective); 1 = every image.
    double adversarial_share = 1.0;
    CheckpointSchedule checkpoints;
};

struct ClassifierResult {
    TensorMap weights;
    double test_accuracy = 0.0;
    double seconds = 0.0;
    std::int64_t steps = 0;
    bool stopped = false;  // the callback asked to stop: the weights so far, not evaluated
};

ClassifierResult train_classifier(const nlohmann::json& layers, const ImageSpec& input,
                                  const FashionMnist& data, const ClassifierTraining& options,
                                  const TrainingCallback& progress = {});

// The batch that adversarial training learns from: `unit` ([N, 1, H, W] in [0, 1]) moved by
// delta ~ U(-eps, eps), then one step of 1.25 eps along the sign of the loss gradient, projected
// back into the eps ball and [0, 1]. `net` reads images in `space`.
at::Tensor fgsm_random_start(const SequentialNet& net, const PixelSpace& space,
                             const at::Tensor& unit, const at::Tensor& labels, double epsilon,
                             at::Generator& generator);

// Accuracy of a classifier on a labelled set, evaluated in batches without gradients.
double classification_accuracy(const Classifier& classifier, const LabelledImages& data);

struct GeneratorTraining {
    int epochs = 8;  // 6 left A's T-shirt unit at p = 0.969 under DGN-AM; 8 reach 0.997
    int batch_size = 64;
    double learning_rate = 2e-4;  // Adam with beta1 0.5, as DCGAN-style training uses
    std::uint64_t seed = 3;
    std::int64_t max_steps = -1;
    // The three losses of Dosovitskiy & Brox 2016: image space, the classifier's feature space
    // (its code layer here), and the adversarial loss of a discriminator.
    double image_weight = 1.0;
    double feature_weight = 0.02;
    double adversarial_weight = 0.005;
    CheckpointSchedule checkpoints;
};

struct GeneratorResult {
    TensorMap generator;
    TensorMap discriminator;
    double test_class_agreement = 0.0;  // share of G(code(x)) that the classifier puts in x's class
    double test_psnr = 0.0;             // mean over the test set, on the classifier's 28x28 crop
    double seconds = 0.0;
    std::int64_t steps = 0;
    bool stopped = false;  // the callback asked to stop: the weights so far, not evaluated
};

// Trains G to invert `classifier`'s `code_layer` on the training set. G's images are larger than
// the classifier's input; the real image is zero-padded to G's size for the image-space loss.
GeneratorResult train_generator(const Classifier& classifier, const std::string& code_layer,
                                const nlohmann::json& generator_layers,
                                const ImageSpec& generator_output,
                                const nlohmann::json& discriminator_layers,
                                const FashionMnist& data, const GeneratorTraining& options,
                                const TrainingCallback& progress = {});

// Per-unit upper bounds of a code layer as the paper's act_range/3x: mean + 3 standard
// deviations of each unit over `data`.
std::vector<float> code_upper_bounds(const Classifier& classifier, const std::string& code_layer,
                                     const LabelledImages& data);

}  // namespace dgnam
