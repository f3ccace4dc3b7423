#pragma once
// The architectures of the bundled Fashion-MNIST pack and its manifest. They mirror the paper's
// structure at this scale: an AlexNet-shaped classifier A whose last hidden fully connected
// layer (after ReLU) is the code layer, a generator G that inverts that code to a 32x32 image
// (larger than the classifier's 28x28 input, so the centre crop is exercised), a discriminator
// for G's adversarial loss, and a residual classifier B that G was not trained with.
#include <nlohmann/json.hpp>

#include <string>

#include "dgnam/classifier.h"

namespace dgnam {

nlohmann::json fashion_classifier_a_layers();
nlohmann::json fashion_classifier_b_layers();
nlohmann::json fashion_generator_layers();
nlohmann::json fashion_discriminator_layers();

constexpr const char* kFashionCodeLayer = "relu4";
constexpr std::int64_t kFashionCodeSize = 256;

// Classifier input: 1x28x28 grey, normalised by the training set's mean and standard deviation.
ImageSpec fashion_classifier_input();
// Generator output: 1x32x32 grey on the 0-255 scale with the training mean subtracted, as the
// paper's generator emits mean-subtracted 0-255 values.
ImageSpec fashion_generator_output();

// File names inside the pack folder.
constexpr const char* kClassifierAFile = "classifier_a.safetensors";
constexpr const char* kClassifierBFile = "classifier_b.safetensors";
constexpr const char* kClassifierCFile = "classifier_c.safetensors";
constexpr const char* kGeneratorFile = "generator.safetensors";
constexpr const char* kDiscriminatorFile = "discriminator.safetensors";
constexpr const char* kCodeUpperBoundFile = "code_upper_3x.txt";
constexpr const char* kTrainingRecordFile = "training.json";

// The manifest for whatever of the pack's files exist in `folder` (classifier A is required);
// `training` (the contents of training.json, may be null) is recorded under "training".
nlohmann::json fashion_pack_manifest(const std::filesystem::path& folder,
                                     const nlohmann::json& training);

}  // namespace dgnam
