#pragma once
// Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 60000 training and 10000 test images of 28x28
// grey clothing pictures in ten classes, read from the four gzip-compressed IDX files that
// Debian's dataset-fashion-mnist package installs.
#include <ATen/Tensor.h>

#include <filesystem>
#include <string>
#include <vector>

namespace dgnam {

struct LabelledImages {
    at::Tensor images;  // [N, 1, 28, 28] uint8, 0 = black
    at::Tensor labels;  // [N] int64
};

struct FashionMnist {
    LabelledImages train, test;
};

// $DGNAM_FASHION_MNIST when set and not empty, else /usr/share/datasets/fashion-mnist.
std::filesystem::path default_fashion_mnist_folder();

// Reads train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
// t10k-labels-idx1-ubyte.gz from `folder`. Throws dgnam::Error naming the folder or file for a
// missing one (saying how to install the data set), a malformed file, images not [N, 28, 28],
// labels not [N] with the images' N, or a label outside 0 to 9.
FashionMnist load_fashion_mnist(const std::filesystem::path& folder);
// The 10,000 test images alone (t10k-*), with the same checks: what the inspector searches, read
// in a seventh of the time of all four files.
LabelledImages load_fashion_mnist_test(const std::filesystem::path& folder);

// The ten class names in label order ("T-shirt/top" ... "Ankle boot").
const std::vector<std::string>& fashion_mnist_labels();

}  // namespace dgnam
