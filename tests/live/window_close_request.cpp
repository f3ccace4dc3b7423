#include "window_close_request.h"

#include <X11/Xlib.h>

#include <thread>

namespace dgnam::live {

bool request_close(const std::string& title, std::chrono::seconds wait) {
    Display* display = XOpenDisplay(nullptr);
    if (!display)
        return false;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    Window target = 0;
    while (!target && std::chrono::steady_clock::now() < deadline) {
        Window root_return = 0, parent = 0;
        Window* children = nullptr;
        unsigned count = 0;
        if (XQueryTree(display, DefaultRootWindow(display), &root_return, &parent, &children,
                       &count)) {
            for (unsigned i = 0; i < count && !target; ++i) {
                char* name = nullptr;
                if (XFetchName(display, children[i], &name) && name) {
                    if (title == name)
                        target = children[i];
                    XFree(name);
                }
            }
            if (children)
                XFree(children);
        }
        if (!target)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (target) {
        XEvent event{};
        event.xclient.type = ClientMessage;
        event.xclient.window = target;
        event.xclient.message_type = XInternAtom(display, "WM_PROTOCOLS", False);
        event.xclient.format = 32;
        event.xclient.data.l[0] =
            static_cast<long>(XInternAtom(display, "WM_DELETE_WINDOW", False));
        event.xclient.data.l[1] = CurrentTime;
        XSendEvent(display, target, False, NoEventMask, &event);
        XFlush(display);
    }
    XCloseDisplay(display);
    return target != 0;
}

}  // namespace dgnam::live
