#include "dgnam/fashion_mnist.h"

#include <ATen/ATen.h>

#include <cstdlib>
#include <cstring>
#include <system_error>

#include "dgnam/error.h"
#include "dgnam/idx_file.h"
#include "dgnam/shape_text.h"

namespace dgnam {
namespace {

namespace fs = std::filesystem;

constexpr const char* kInstall = "install it with `apt-get install dataset-fashion-mnist`";
constexpr std::int64_t kSide = 28;
constexpr std::int64_t kClasses = 10;

IdxArray read_part(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec))
        throw Error(file.string() + ": Fashion-MNIST file not found; " + kInstall +
                    " or point DGNAM_FASHION_MNIST at a folder with the four files");
    try {
        return read_idx_gz(file);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) +
                    " (to restore it: apt-get install --reinstall dataset-fashion-mnist)");
    }
}

LabelledImages load_split(const fs::path& folder, const std::string& prefix) {
    const auto images_path = folder / (prefix + "-images-idx3-ubyte.gz");
    const auto labels_path = folder / (prefix + "-labels-idx1-ubyte.gz");
    const IdxArray images = read_part(images_path);
    const IdxArray labels = read_part(labels_path);
    const auto& s = images.shape;
    if (s.size() != 3 || s[1] != kSide || s[2] != kSide)
        throw Error(images_path.string() + ": expected images of [N, 28, 28], found " +
                    shape_text(s));
    const std::int64_t n = s[0];
    if (labels.shape.size() != 1)
        throw Error(labels_path.string() + ": expected one label per image, found an array of " +
                    std::to_string(labels.shape.size()) + " dimensions");
    if (labels.shape[0] != n)
        throw Error(labels_path.string() + ": " + std::to_string(labels.shape[0]) +
                    " labels for the " + std::to_string(n) + " images of " +
                    images_path.filename().string());
    for (std::size_t i = 0; i < labels.data.size(); ++i)
        if (labels.data[i] >= kClasses)
            throw Error(labels_path.string() + ": label " + std::to_string(labels.data[i]) +
                        " of image " + std::to_string(i) + " is not a class from 0 to 9");

    LabelledImages out;
    out.images = at::empty({n, 1, kSide, kSide}, at::TensorOptions().dtype(at::kByte));
    std::memcpy(out.images.data_ptr<std::uint8_t>(), images.data.data(), images.data.size());
    out.labels = at::empty({n}, at::TensorOptions().dtype(at::kByte));
    std::memcpy(out.labels.data_ptr<std::uint8_t>(), labels.data.data(), labels.data.size());
    out.labels = out.labels.to(at::kLong);
    return out;
}

}  // namespace

fs::path default_fashion_mnist_folder() {
    const char* env = std::getenv("DGNAM_FASHION_MNIST");
    if (env && *env)
        return fs::path(env);
    return fs::path("/usr/share/datasets/fashion-mnist");
}

namespace {
void check_folder(const fs::path& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw Error(folder.string() + ": no Fashion-MNIST folder here; " + kInstall +
                    " or point DGNAM_FASHION_MNIST at a folder with the four .gz files");
}
}  // namespace

FashionMnist load_fashion_mnist(const fs::path& folder) {
    check_folder(folder);
    FashionMnist data;
    data.train = load_split(folder, "train");
    data.test = load_split(folder, "t10k");
    return data;
}

LabelledImages load_fashion_mnist_test(const fs::path& folder) {
    check_folder(folder);
    return load_split(folder, "t10k");
}

const std::vector<std::string>& fashion_mnist_labels() {
    static const std::vector<std::string> labels = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return labels;
}

}  // namespace dgnam
