#pragma once
// Which unit the user picked: classifier, layer and unit number.
#include <QMetaType>

#include <cstdint>
#include <string>

namespace dgnam::studio {

struct UnitRef {
    std::string classifier;
    std::string layer;
    std::int64_t unit = -1;

    bool valid() const { return unit >= 0 && !layer.empty(); }
    bool operator==(const UnitRef& o) const {
        return classifier == o.classifier && layer == o.layer && unit == o.unit;
    }
    bool operator!=(const UnitRef& o) const { return !(*this == o); }
};

}  // namespace dgnam::studio

Q_DECLARE_METATYPE(dgnam::studio::UnitRef)
