#pragma once
// The picked unit (dgnam::UnitRef from the core) made known to Qt's meta-type system, so that it
// travels through signals and QVariant.
#include <QMetaType>

#include "dgnam/run_settings.h"

Q_DECLARE_METATYPE(dgnam::UnitRef)
