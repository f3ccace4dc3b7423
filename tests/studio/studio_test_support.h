#pragma once
// What the studio tests share: the bundled pack, the data set and a scratch folder.
#include <QTemporaryDir>

#include <filesystem>

#include "studio_session.h"

namespace dgnam::studio::test {

inline std::filesystem::path bundled_pack() {
    return DGNAM_TEST_PACK_DIR;
}
inline std::filesystem::path data_folder() {
    return default_fashion_mnist_folder();
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
