#include "fashion_mnist_subset.h"

#include <ATen/ATen.h>

#include <fstream>
#include <string>

#include "dgnam/fashion_mnist.h"

namespace dgnam::test {
namespace fs = std::filesystem;

namespace {
void write_idx(const fs::path& file, const at::Tensor& bytes) {
    std::string out = {0, 0, 0x08, static_cast<char>(bytes.dim())};
    for (auto size : bytes.sizes())
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((size >> shift) & 0xff));
    const auto flat = bytes.to(at::kByte).contiguous();
    out.append(reinterpret_cast<const char*>(flat.data_ptr<std::uint8_t>()),
               static_cast<std::size_t>(flat.numel()));
    std::ofstream(file, std::ios::binary) << out;
}
}  // namespace

void write_fashion_mnist_subset(const fs::path& folder, std::int64_t train, std::int64_t test) {
    const auto all = load_fashion_mnist(default_fashion_mnist_folder());
    fs::create_directories(folder);
    write_idx(folder / "train-images-idx3-ubyte.gz",
              all.train.images.narrow(0, 0, train).squeeze(1));
    write_idx(folder / "train-labels-idx1-ubyte.gz", all.train.labels.narrow(0, 0, train));
    write_idx(folder / "t10k-images-idx3-ubyte.gz", all.test.images.narrow(0, 0, test).squeeze(1));
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", all.test.labels.narrow(0, 0, test));
}

}  // namespace dgnam::test
