#pragma once
// Runs `call(object)` later on `object`'s thread, if the object still exists then. The way every
// callback of a core thread reaches the GUI: by queued invocation, never touching widgets from
// the worker's thread.
#include <QMetaObject>
#include <QPointer>

#include <utility>

namespace dgnam::studio {

template <typename Object, typename Call>
void call_queued(const QPointer<Object>& object, Call call) {
    QMetaObject::invokeMethod(
        object.data(),
        [object, call = std::move(call)] {
            if (object)
                call(*object);
        },
        Qt::QueuedConnection);
}

}  // namespace dgnam::studio
