#pragma once
// What the studio tests share: the bundled pack, a part of the data set, short settings.
#include <QTemporaryDir>

#include <filesystem>

#include "fashion_mnist_subset.h"
#include "studio_session.h"

namespace dgnam::studio::test {

inline std::filesystem::path bundled_pack() {
    return DGNAM_TEST_PACK_DIR;
}
// The first 1,000 of the 10,000 test images: the inspector searches them for every unit a test
// selects, and under AddressSanitizer a pass over all 10,000 takes tens of seconds. Written once
// per test program, removed when it ends.
inline std::filesystem::path data_folder() {
    static const QTemporaryDir folder;
    static const std::filesystem::path subset = [] {
        const std::filesystem::path path = folder.path().toStdString();
        dgnam::test::write_fashion_mnist_subset(path, 100, 1000);
        return path;
    }();
    return subset;
}

// Short runs keep the suite quick on two cores; long ones stay alive while a test looks.
inline SessionSettings settings_with(int iterations) {
    SessionSettings s;
    s.params.iterations = iterations;
    return s;
}

inline UnitRef output_unit(const StudioSession& session, std::int64_t unit) {
    const Classifier& c = session.pack().classifier();
    return UnitRef{c.id(), c.output_layer(), unit};
}

}  // namespace dgnam::studio::test
