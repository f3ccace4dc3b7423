#pragma once
// A few thousand Fashion-MNIST images instead of 70,000, for the tests of every front end: the
// command line trains and evaluates on them, the studio's inspector searches them. Under
// AddressSanitizer each pass over the whole test set costs tens of seconds.
#include <cstdint>
#include <filesystem>

namespace dgnam::test {

// The first `train` and `test` images of Debian's Fashion-MNIST, written as the four IDX files
// (uncompressed, under the .gz names the reader expects) into `folder`, for `--data` or a
// front end's data folder.
void write_fashion_mnist_subset(const std::filesystem::path& folder, std::int64_t train,
                                std::int64_t test);

}  // namespace dgnam::test
